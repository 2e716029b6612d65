package ec2

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"
	"time"
)

func sha(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }

// TestSign checks each signature version against the signatures
// python-keystoneclient's Ec2Signer (the signer Keystone uses) computes
// for the same credentials; the version 4 header case is AWS's own
// published example (IAM ListUsers, signature 5d672d79...).
func TestSign(t *testing.T) {
	const secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	for _, tc := range []struct {
		name string
		req  Request
		want string
	}{
		{"v0", Request{Verb: "GET", Host: "ec2.example.org", Path: "/",
			Params: map[string]string{"SignatureVersion": "0", "Action": "DescribeInstances", "Timestamp": "2026-12-07T02:00:00Z"}},
			"yAtki9pfd/HcHBKPCZUmrp5QmAk="},
		{"v1", Request{Verb: "GET", Host: "ec2.example.org", Path: "/",
			Params: map[string]string{"SignatureVersion": "1", "Action": "DescribeInstances", "AWSAccessKeyId": "AKID", "timestamp": "x", "Version": "2013-10-15"}},
			"I6D+WS8KcxgSMTMffaqNGAdjtM8="},
		{"v2", Request{Verb: "GET", Host: "ec2.example.org:8788", Path: "/services/Cloud/",
			Params: map[string]string{"SignatureVersion": "2", "SignatureMethod": "HmacSHA256", "Action": "DescribeInstances", "AWSAccessKeyId": "AKID",
				"Timestamp": "2026-12-07T02:00:00Z", "Version": "2013-10-15", "Filter.1.Name": "tag:a b/c~d*é"}},
			"EpfYEkTEYQ41b5bCOxjnwe5sk61LOmVZjhydsZ/nskE="},
		// Keystone signs version 2 with SHA-256 whatever the client named.
		{"v2 HmacSHA1", Request{Verb: "POST", Host: "h", Path: "/",
			Params: map[string]string{"SignatureVersion": "2", "SignatureMethod": "HmacSHA1", "Action": "DescribeInstances", "AWSAccessKeyId": "AKID"}},
			"3Qu5Q83vo5+od+wrouo3WrQr/EeYfjoVaWswAa5OBg0="},
		{"v4 header", Request{Verb: "GET", Host: "iam.amazonaws.com", Path: "/", BodyHash: sha(""),
			Params: map[string]string{"Action": "ListUsers", "Version": "2010-05-08"},
			Headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded; charset=utf-8", "Host": "iam.amazonaws.com", "X-Amz-Date": "20150830T123600Z",
				"Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"}},
			"5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"},
		// A POST signs no query; an old boto signs the host without its
		// port; a signed header that was not sent is skipped.
		{"v4 post", Request{Verb: "POST", Host: "iam.amazonaws.com", Path: "/", BodyHash: sha("Action=ListUsers"),
			Params: map[string]string{"Action": "ListUsers"},
			Headers: map[string]string{"Host": "iam.amazonaws.com:443", "X-Amz-Date": "20150830T123600Z", "User-Agent": "Boto/2.9.1 Python",
				"Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request,SignedHeaders=host;x-amz-date;missing,Signature=x"}},
			"52aa386a3b3b282c90abbdfe6d0bb8160743408b2d4db98cadfe18e53b8fdad2"},
		{"v4 query", Request{Verb: "GET", Host: "h", Path: "/x y", BodyHash: sha(""),
			Params: map[string]string{"Action": "ListUsers", "X-Amz-Algorithm": "AWS4-HMAC-SHA256", "X-Amz-Credential": "AKIDEXAMPLE/20150830/us-east-1/ec2/aws4_request",
				"X-Amz-Date": "20150830T123600Z", "X-Amz-SignedHeaders": "host"},
			Headers: map[string]string{"Host": "h"}},
			"4fda89cb8773efbd44e63d4e876fc5606f2ee8f002bc1e0453ce8eb64e32c5f2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Sign(secret, tc.req)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("signature %s, want %s", got, tc.want)
			}
			tc.req.Signature = got
			if err := Verify(secret, tc.req); err != nil {
				t.Errorf("Verify: %v", err)
			}
			if err := Verify("other", tc.req); !errors.Is(err, ErrMismatch) {
				t.Errorf("Verify with another secret: %v", err)
			}
		})
	}
}

func TestSignRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		req  Request
	}{
		{"no version", Request{Params: map[string]string{"Action": "x"}}},
		{"unknown version", Request{Params: map[string]string{"SignatureVersion": "3"}}},
		{"v4 date outside the scope", Request{Verb: "GET", Params: map[string]string{}, Headers: map[string]string{"X-Amz-Date": "20150831T000000Z",
			"Authorization": "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=x"}}},
		{"v4 short scope", Request{Verb: "GET", Params: map[string]string{}, Headers: map[string]string{"X-Amz-Date": "20150830T000000Z",
			"Authorization": "AWS4-HMAC-SHA256 Credential=AKID/20150830, SignedHeaders=host, Signature=x"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if sig, err := Sign("s", tc.req); err == nil {
				t.Fatalf("signed %q", sig)
			}
		})
	}
}

// TestVerifyWithoutPort follows Keystone: a signature over the host
// without its port is accepted for a request that names the port.
func TestVerifyWithoutPort(t *testing.T) {
	r := Request{Verb: "GET", Host: "h", Path: "/", Params: map[string]string{"SignatureVersion": "2", "Action": "A"}}
	sig, err := Sign("s", r)
	if err != nil {
		t.Fatal(err)
	}
	r.Signature, r.Host = sig, "h:8788"
	if err := Verify("s", r); err != nil {
		t.Fatal(err)
	}
	r.Signature = ""
	if err := Verify("s", r); err == nil {
		t.Fatal("an empty signature passed")
	}
}

// TestVerifyS3 uses AWS's published S3 examples: version 1 (the
// johnsmith puppy.jpg GET) and version 4 (the GET Object example).
func TestVerifyS3(t *testing.T) {
	const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	for _, tc := range []struct {
		name, token, sig string
		ok               bool
	}{
		{"v1", "R0VUCgoKVHVlLCAyNyBNYXIgMjAwNyAxOTozNjo0MiArMDAwMAovam9obnNtaXRoL3Bob3Rvcy9wdXBweS5qcGc=", "bWq2s1WEIj+Ydj0vQ697zp+IXMU=", true},
		{"v1 wrong", "R0VUCgoKVHVlLCAyNyBNYXIgMjAwNyAxOTozNjo0MiArMDAwMAovam9obnNtaXRoL3Bob3Rvcy9wdXBweS5qcGc=", "bWq2s1WEIj+Ydj0vQ697zp+IXMA=", false},
		{"v4", "QVdTNC1ITUFDLVNIQTI1NgoyMDEzMDUyNFQwMDAwMDBaCjIwMTMwNTI0L3VzLWVhc3QtMS9zMy9hd3M0X3JlcXVlc3QKNzM0NGFlNWI3ZWU2YzNlN2U2YjBmZTA2NDA0MTJhMzc2MjVkMWZiZmZmOTVjNDhiYmIyZGM0Mzk2NDk0Njk3Mg==",
			"f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41", true},
		{"v4 wrong", "QVdTNC1ITUFDLVNIQTI1NgoyMDEzMDUyNFQwMDAwMDBaCjIwMTMwNTI0L3VzLWVhc3QtMS9zMy9hd3M0X3JlcXVlc3QKNzM0NGFlNWI3ZWU2YzNlN2U2YjBmZTA2NDA0MTJhMzc2MjVkMWZiZmZmOTVjNDhiYmIyZGM0Mzk2NDk0Njk3Mg==",
			"f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb40", false},
		// Keystone takes only s3, iam and sts in the scope.
		{"v4 other service", "QVdTNC1ITUFDLVNIQTI1NgoyMDEzMDUyNFQwMDAwMDBaCjIwMTMwNTI0L3VzLWVhc3QtMS9lYzIvYXdzNF9yZXF1ZXN0CjAw", "x", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sts, err := DecodeStringToSign(tc.token)
			if err != nil {
				t.Fatal(err)
			}
			if err := VerifyS3(secret, sts, tc.sig); (err == nil) != tc.ok {
				t.Fatalf("VerifyS3: %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

func TestCheckTimestamp(t *testing.T) {
	now := time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		req  Request
		ok   bool
	}{
		{"none", Request{}, true},
		{"fresh Timestamp", Request{Params: map[string]string{"Timestamp": "2026-12-07T01:50:00Z"}}, true},
		{"old Timestamp", Request{Params: map[string]string{"Timestamp": "2026-12-07T01:40:00Z"}}, false},
		{"fresh X-Amz-Date header", Request{Headers: map[string]string{"X-Amz-Date": "20261207T015000Z"}}, true},
		{"old X-Amz-Date parameter", Request{Params: map[string]string{"X-Amz-Date": "20261207T010000Z"}}, false},
		{"garbage", Request{Params: map[string]string{"Timestamp": "yesterday"}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := CheckTimestamp(tc.req, now, 15*time.Minute); (err == nil) != tc.ok {
				t.Fatalf("CheckTimestamp: %v, want ok=%v", err, tc.ok)
			}
		})
	}
}
