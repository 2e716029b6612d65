// Package ec2 computes the AWS request signatures that EC2 and S3 front
// ends hand to Keystone to check (POST /v3/ec2tokens and /v3/s3tokens),
// exactly as Keystone computes them: its Ec2Signer (signature versions
// 0, 1, 2 and 4) for ec2tokens, and the s3tokens resource's own V1 (HMAC-SHA1
// over the string to sign) and V4 (the signing key derived from the
// scope lines of the string to sign) for s3tokens. It is pure: the
// caller finds the secret of the access key and issues the token.
package ec2

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Request is what an EC2 front end sends to /v3/ec2tokens: the access
// key, the signature the client sent, and the parts of the client's
// request that were signed.
type Request struct {
	Access    string
	Signature string
	Host      string
	Verb      string
	Path      string
	Params    map[string]string
	Headers   map[string]string
	BodyHash  string
}

// ErrMismatch is a signature that does not match the one computed.
var ErrMismatch = errors.New("ec2: signature mismatch")

// Verify checks r's signature against the one computed with secret. As
// Keystone does, a host with a port is tried again without it, because
// some client libraries sign the host name alone.
func Verify(secret string, r Request) error {
	if r.Signature == "" {
		return errors.New("ec2: signature not supplied")
	}
	sig, err := Sign(secret, r)
	if err != nil {
		return err
	}
	if equal(sig, r.Signature) {
		return nil
	}
	if host, _, ok := strings.Cut(r.Host, ":"); ok {
		r.Host = host
		if sig, err = Sign(secret, r); err == nil && equal(sig, r.Signature) {
			return nil
		}
	}
	return ErrMismatch
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// Sign computes the signature of r with secret, in the version r's
// parameters name (SignatureVersion "0", "1" or "2") or else version 4
// when its Authorization header or X-Amz-Algorithm parameter says
// AWS4-HMAC-SHA256, in that order, as Keystone's Ec2Signer decides.
func Sign(secret string, r Request) (string, error) {
	v, ok := r.Params["SignatureVersion"]
	switch {
	case v == "0" || v == "1" || v == "2":
	case isV4(r):
		return signV4(secret, r)
	case ok:
		return "", fmt.Errorf("ec2: unknown signature version %q", v)
	default:
		return "", errors.New("ec2: unexpected signature format")
	}
	switch v {
	case "0":
		m := hmac.New(sha1.New, []byte(secret))
		m.Write([]byte(r.Params["Action"] + r.Params["Timestamp"]))
		return base64.StdEncoding.EncodeToString(m.Sum(nil)), nil
	case "1":
		keys := sortedKeys(r.Params)
		slices.SortStableFunc(keys, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
		m := hmac.New(sha1.New, []byte(secret))
		for _, k := range keys {
			m.Write([]byte(k))
			m.Write([]byte(r.Params[k]))
		}
		return base64.StdEncoding.EncodeToString(m.Sum(nil)), nil
	default:
		// Keystone signs version 2 with HMAC-SHA256 and puts
		// SignatureMethod=HmacSHA256 in the signed parameters, whatever
		// method the client named: a client that signed with HmacSHA1 is
		// refused, as by Keystone.
		params := make(map[string]string, len(r.Params)+1)
		for k, v := range r.Params {
			params[k] = v
		}
		params["SignatureMethod"] = "HmacSHA256"
		m := hmac.New(sha256.New, []byte(secret))
		m.Write([]byte(r.Verb + "\n" + r.Host + "\n" + r.Path + "\n" + canonicalQuery(params)))
		return base64.StdEncoding.EncodeToString(m.Sum(nil)), nil
	}
}

func isV4(r Request) bool {
	if a, ok := r.Headers["Authorization"]; ok {
		return strings.HasPrefix(a, "AWS4-HMAC-SHA256")
	}
	return r.Params["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// canonicalQuery is the sorted, percent-encoded query string of
// signature versions 2 and 4 (Python's quote with "-_~" safe).
func canonicalQuery(params map[string]string) string {
	var pairs []string
	for _, k := range sortedKeys(params) {
		pairs = append(pairs, quote(k)+"="+quote(params[k]))
	}
	return strings.Join(pairs, "&")
}

// quote percent-encodes everything but letters, digits and "-_.~", as
// urllib.parse.quote(s, safe='-_~') does.
func quote(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-_.~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

func hmacSHA256(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// oldBoto reports the user agents of boto releases (before 2.9.3) that
// signed the host without its port; Keystone strips the port for them
// (its pattern is Boto/2\.[0-9]\.[0-2]).
func oldBoto(ua string) bool {
	v, ok := strings.CutPrefix(ua, "Boto/2.")
	return ok && len(v) >= 3 && '0' <= v[0] && v[0] <= '9' && v[1] == '.' && '0' <= v[2] && v[2] <= '2'
}

// signV4 is Keystone's _calc_signature_4: the canonical request, the
// string to sign over the credential scope, the derived signing key.
func signV4(secret string, r Request) (string, error) {
	// authParam reads a parameter of the Authorization header, or the
	// X-Amz-<name> query parameter without one.
	authParam := func(name string) string {
		if a, ok := r.Headers["Authorization"]; ok {
			_, rest, _ := strings.Cut(a, name+"=")
			v, _, _ := strings.Cut(rest, ",")
			return v
		}
		return r.Params["X-Amz-"+name]
	}
	date, ok := r.Headers["X-Amz-Date"]
	if !ok {
		date = r.Params["X-Amz-Date"]
	}

	lower := map[string]string{}
	for k, v := range r.Headers {
		lower[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
	}
	stripPort := oldBoto(lower["user-agent"])
	signed := authParam("SignedHeaders")
	var hdrs strings.Builder
	for _, h := range strings.Split(signed, ";") {
		v, ok := lower[h]
		if !ok {
			continue
		}
		if h == "host" && stripPort {
			v, _, _ = strings.Cut(v, ":")
		}
		hdrs.WriteString(h + ":" + v + "\n")
	}
	if hdrs.Len() == 0 {
		hdrs.WriteString("\n")
	}
	query := ""
	if strings.ToUpper(r.Verb) != "POST" {
		// A POST carries its parameters in the body, signed by its hash.
		query = canonicalQuery(r.Params)
	}
	canonical := strings.Join([]string{strings.ToUpper(r.Verb), r.Path, query, hdrs.String(), signed, r.BodyHash}, "\n")

	cred := strings.Split(authParam("Credential"), "/")
	if len(cred) < 4 {
		return "", errors.New("ec2: malformed credential scope")
	}
	if !strings.HasPrefix(date, cred[1]) {
		return "", errors.New("ec2: request date mismatch")
	}
	sum := sha256.Sum256([]byte(canonical))
	toSign := strings.Join([]string{"AWS4-HMAC-SHA256", date, strings.Join(cred[1:], "/"), hex.EncodeToString(sum[:])}, "\n")
	key := signingKey(secret, cred[1], cred[2], cred[3])
	return hex.EncodeToString(hmacSHA256(key, toSign)), nil
}

// signingKey derives AWS's version 4 signing key from the secret and the
// credential scope's date, region and service.
func signingKey(secret, date, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, "aws4_request")
}

// VerifyS3 checks the signature an S3 front end sends to /v3/s3tokens
// over stringToSign (the "token" member, base64-decoded), as Keystone's
// s3tokens resource does: version 4 when the string to sign starts with
// "AWS4", version 1 (base64 of HMAC-SHA1) otherwise.
func VerifyS3(secret string, stringToSign []byte, signature string) error {
	var sig string
	if strings.HasPrefix(string(stringToSign), "AWS4") {
		var err error
		if sig, err = signS3V4(secret, string(stringToSign)); err != nil {
			return err
		}
	} else {
		m := hmac.New(sha1.New, []byte(secret))
		m.Write(stringToSign)
		sig = base64.StdEncoding.EncodeToString(m.Sum(nil))
	}
	if !equal(sig, signature) {
		return ErrMismatch
	}
	return nil
}

// signS3V4 is Keystone's _calculate_signature_v4: the string to sign has
// four lines, the third the credential scope date/region/service/
// aws4_request, the service one of s3, iam or sts.
func signS3V4(secret, toSign string) (string, error) {
	parts := strings.Split(toSign, "\n")
	if len(parts) != 4 || parts[0] != "AWS4-HMAC-SHA256" {
		return "", errors.New("ec2: malformed version 4 string to sign")
	}
	scope := strings.Split(parts[2], "/")
	if len(scope) != 4 || scope[3] != "aws4_request" {
		return "", errors.New("ec2: malformed version 4 credential scope")
	}
	switch scope[2] {
	case "s3", "iam", "sts":
	default:
		return "", fmt.Errorf("ec2: service %q is not s3, iam or sts", scope[2])
	}
	key := signingKey(secret, scope[0], scope[1], scope[2])
	return hex.EncodeToString(hmacSHA256(key, toSign)), nil
}

// DecodeStringToSign decodes the "token" member of an s3tokens request:
// the string to sign in URL-safe base64, as Swift's s3token middleware
// sends it (the standard alphabet is taken too).
func DecodeStringToSign(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.URLEncoding, base64.StdEncoding, base64.RawURLEncoding, base64.RawStdEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, errors.New("ec2: the token is not base64")
}

// CheckTimestamp refuses a request signed longer than ttl before now
// (Keystone's [credential] auth_ttl, 15 minutes by default), reading
// the time from the Timestamp parameter (versions 1 and 2) or X-Amz-Date
// (version 4, header or parameter). A request without one passes: its
// signer left it out on purpose.
func CheckTimestamp(r Request, now time.Time, ttl time.Duration) error {
	ts := r.Params["Timestamp"]
	if ts == "" {
		ts = r.Headers["X-Amz-Date"]
	}
	if ts == "" {
		ts = r.Params["X-Amz-Date"]
	}
	if ts == "" {
		return nil
	}
	t, err := parseTime(ts)
	if err != nil {
		return err
	}
	if now.After(t.Add(ttl)) {
		return errors.New("ec2: credential is expired")
	}
	return nil
}

// parseTime reads the ISO 8601 forms AWS clients send: extended
// (2026-01-02T15:04:05Z, with or without fraction or offset) and basic
// (20260102T150405Z).
func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04:05.999999999", "20060102T150405Z0700", "20060102T150405Z", "20060102T150405"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("ec2: credential timestamp %q is invalid", s)
}
