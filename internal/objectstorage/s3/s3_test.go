package s3

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
)

type bucketList struct {
	Owner   struct{ ID, DisplayName string }
	Buckets []struct{ Name, CreationDate string } `xml:"Buckets>Bucket"`
}

type objectList struct {
	Name, Prefix, Marker, NextMarker, Delimiter, EncodingType string
	NextContinuationToken, ContinuationToken, StartAfter      string
	MaxKeys, KeyCount                                         int
	IsTruncated                                               bool
	Contents                                                  []struct {
		Key, ETag, StorageClass, LastModified string
		Size                                  int64
		Owner                                 *struct{ ID string }
	}
	CommonPrefixes []struct{ Prefix string }
}

func md5b64(b []byte) string {
	s := md5.Sum(b)
	return base64.StdEncoding.EncodeToString(s[:])
}

func md5hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

// TestBuckets creates, lists, heads and deletes buckets.
func TestBuckets(t *testing.T) {
	e := newEnv(t)
	_, body := e.must(req{method: "GET", path: "/"}, 200)
	l := decode[bucketList](t, body)
	if len(l.Buckets) != 0 || l.Owner.ID != "project-1111:member-a" {
		t.Fatalf("empty listing: %+v", l)
	}
	resp, _ := e.must(req{method: "PUT", path: "/alpha"}, 200)
	if resp.Header.Get("Location") != "/alpha" {
		t.Errorf("Location %q", resp.Header.Get("Location"))
	}
	d := e.mustErr(req{method: "PUT", path: "/alpha"}, 409, "BucketAlreadyOwnedByYou")
	if d.BucketName != "alpha" {
		t.Errorf("BucketName %q", d.BucketName)
	}
	e.must(req{method: "PUT", path: "/beta", body: []byte(`<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>RegionOne</LocationConstraint></CreateBucketConfiguration>`)}, 200)
	e.mustErr(req{method: "PUT", path: "/gamma", body: []byte(`<CreateBucketConfiguration><LocationConstraint>mars</LocationConstraint></CreateBucketConfiguration>`)}, 400, "InvalidLocationConstraint")
	e.mustErr(req{method: "PUT", path: "/gamma", body: []byte(`<NotIt/>`)}, 400, "MalformedXML")
	for _, name := range []string{"ab", "Upper", "a..b", "192.168.1.1", "-abc", "abc-", strings.Repeat("a", 64), "a_b"} {
		if d := e.mustErr(req{method: "PUT", path: "/" + name}, 400, "InvalidBucketName"); d.BucketName != name {
			t.Errorf("%s: BucketName %q", name, d.BucketName)
		}
	}
	_, body = e.must(req{method: "GET", path: "/"}, 200)
	l = decode[bucketList](t, body)
	if len(l.Buckets) != 2 || l.Buckets[0].Name != "alpha" || l.Buckets[1].Name != "beta" || l.Buckets[0].CreationDate != "2009-02-03T16:45:09.000Z" {
		t.Fatalf("listing: %+v", l)
	}
	e.must(req{method: "HEAD", path: "/alpha"}, 200)
	e.mustErr(req{method: "HEAD", path: "/nope"}, 404, "")
	e.mustErr(req{method: "GET", path: "/nope"}, 404, "NoSuchBucket")
	e.must(req{method: "DELETE", path: "/beta"}, 204)
	e.mustErr(req{method: "DELETE", path: "/beta"}, 404, "NoSuchBucket")
	_, body = e.must(req{method: "GET", path: "/alpha?location"}, 200)
	if !strings.Contains(body, `<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">RegionOne</LocationConstraint>`) {
		t.Errorf("location %q", body)
	}
	_, body = e.must(req{method: "GET", path: "/alpha?versioning"}, 200)
	if !strings.Contains(body, "<VersioningConfiguration") || strings.Contains(body, "Status") {
		t.Errorf("versioning %q", body)
	}
	e.mustErr(req{method: "PUT", path: "/alpha?versioning", body: []byte("<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>")}, 501, "NotImplemented")
	e.mustErr(req{method: "GET", path: "/alpha?policy"}, 501, "NotImplemented")
	e.mustErr(req{method: "POST", path: "/"}, 405, "MethodNotAllowed")
	// Another project does not see the buckets.
	e.access, e.secret = otherAccess, otherSecret
	_, body = e.must(req{method: "GET", path: "/"}, 200)
	if l := decode[bucketList](t, body); len(l.Buckets) != 0 {
		t.Errorf("other project sees %+v", l.Buckets)
	}
}

// TestObjects puts, gets, heads, copies and deletes objects.
func TestObjects(t *testing.T) {
	e := newEnv(t)
	e.must(req{method: "PUT", path: "/bkt"}, 200)
	data := []byte("hello, object storage")
	resp, _ := e.must(req{method: "PUT", path: "/bkt/dir/file.txt", body: data, header: hdr(
		"Content-Type", "text/plain", "Content-MD5", md5b64(data), "X-Amz-Meta-Color", "blue", "X-Amz-Meta-Snake_case", "yes")}, 200)
	if got, want := resp.Header.Get("ETag"), `"`+md5hex(data)+`"`; got != want {
		t.Errorf("PUT ETag %q, want %q", got, want)
	}
	resp, body := e.must(req{method: "GET", path: "/bkt/dir/file.txt"}, 200)
	if body != string(data) || resp.Header.Get("Content-Type") != "text/plain" || resp.Header.Get("x-amz-meta-color") != "blue" ||
		resp.Header.Get("x-amz-meta-snake_case") != "yes" || resp.Header.Get("ETag") != `"`+md5hex(data)+`"` {
		t.Errorf("GET: %q %v", body, resp.Header)
	}
	for k := range resp.Header {
		if strings.HasPrefix(strings.ToLower(k), "x-object-") || strings.HasPrefix(strings.ToLower(k), "x-trans") {
			t.Errorf("Swift header leaked: %s", k)
		}
	}
	resp, body = e.must(req{method: "GET", path: "/bkt/dir/file.txt", header: hdr("Range", "bytes=7-12")}, 206)
	if body != "object" || resp.Header.Get("Content-Range") != fmt.Sprintf("bytes 7-12/%d", len(data)) {
		t.Errorf("range: %q %q", body, resp.Header.Get("Content-Range"))
	}
	resp, _ = e.must(req{method: "HEAD", path: "/bkt/dir/file.txt", header: hdr("Range", "bytes=0-4")}, 206)
	if resp.Header.Get("Content-Length") != "5" || resp.Header.Get("Content-Range") != fmt.Sprintf("bytes 0-4/%d", len(data)) {
		t.Errorf("HEAD range: %v", resp.Header)
	}
	e.mustErr(req{method: "GET", path: "/bkt/dir/file.txt", header: hdr("Range", "bytes=100-200")}, 416, "InvalidRange")
	resp, _ = e.must(req{method: "GET", path: "/bkt/dir/file.txt?response-content-type=application/x-test&response-cache-control=no-cache"}, 200)
	if resp.Header.Get("Content-Type") != "application/x-test" || resp.Header.Get("Cache-Control") != "no-cache" {
		t.Errorf("overrides: %v", resp.Header)
	}
	e.must(req{method: "GET", path: "/bkt/dir/file.txt", header: hdr("If-None-Match", `"`+md5hex(data)+`"`)}, 304)
	e.mustErr(req{method: "GET", path: "/bkt/dir/file.txt", header: hdr("If-Match", `"nope"`)}, 412, "PreconditionFailed")

	d := e.mustErr(req{method: "GET", path: "/bkt/missing"}, 404, "NoSuchKey")
	if d.Key != "missing" {
		t.Errorf("Key %q", d.Key)
	}
	e.mustErr(req{method: "GET", path: "/nobkt/missing"}, 404, "NoSuchBucket")
	e.mustErr(req{method: "HEAD", path: "/bkt/missing"}, 404, "")
	e.mustErr(req{method: "PUT", path: "/nobkt/k", body: data}, 404, "NoSuchBucket")

	// Bad digests: a wrong MD5 is refused by Swift as it stores the
	// body; a malformed one before anything is sent.
	e.mustErr(req{method: "PUT", path: "/bkt/bad", body: data, header: hdr("Content-MD5", md5b64([]byte("other")))}, 400, "BadDigest")
	e.mustErr(req{method: "PUT", path: "/bkt/bad", body: data, header: hdr("Content-MD5", "not base64!")}, 400, "InvalidDigest")
	e.mustErr(req{method: "PUT", path: "/bkt/bad", body: data, header: hdr("Content-MD5", base64.StdEncoding.EncodeToString([]byte("short")))}, 400, "InvalidDigest")
	// A body that is not what x-amz-content-sha256 says is never stored.
	e.mustErr(req{method: "PUT", path: "/bkt/bad", body: data, header: hdr("X-Amz-Content-Sha256", strings.Repeat("0", 64))}, 400, "XAmzContentSHA256Mismatch")
	e.mustErr(req{method: "GET", path: "/bkt/bad"}, 404, "NoSuchKey")
	e.mustErr(req{method: "PUT", path: "/bkt/k", body: data, header: hdr("X-Amz-Storage-Class", "GLACIER")}, 400, "InvalidStorageClass")
	e.mustErr(req{method: "PUT", path: "/bkt/k", body: data, header: hdr("If-Match", "x")}, 501, "NotImplemented")
	e.mustErr(req{method: "PUT", path: "/bkt/" + strings.Repeat("k", 1025), body: data}, 400, "KeyTooLongError")
	e.must(req{method: "PUT", path: "/bkt/unsigned", body: data, unsigned: true}, 200)

	// Copies.
	_, body = e.must(req{method: "PUT", path: "/bkt/copy1", header: hdr("X-Amz-Copy-Source", "/bkt/dir/file.txt")}, 200)
	if !strings.Contains(body, "<CopyObjectResult") || !strings.Contains(body, "<ETag>&#34;"+md5hex(data)+"&#34;</ETag>") {
		t.Errorf("copy result %q", body)
	}
	resp, body = e.must(req{method: "GET", path: "/bkt/copy1"}, 200)
	if body != string(data) || resp.Header.Get("x-amz-meta-color") != "blue" {
		t.Errorf("copy kept %q %v", body, resp.Header)
	}
	e.must(req{method: "PUT", path: "/bkt/copy2", header: hdr("X-Amz-Copy-Source", "bkt/dir/file.txt", "X-Amz-Metadata-Directive", "REPLACE",
		"X-Amz-Meta-Shape", "round", "Content-Type", "text/x-new")}, 200)
	resp, _ = e.must(req{method: "HEAD", path: "/bkt/copy2"}, 200)
	if resp.Header.Get("x-amz-meta-color") != "" || resp.Header.Get("x-amz-meta-shape") != "round" || resp.Header.Get("Content-Type") != "text/x-new" {
		t.Errorf("REPLACE: %v", resp.Header)
	}
	e.mustErr(req{method: "PUT", path: "/bkt/copy1", header: hdr("X-Amz-Copy-Source", "/bkt/copy1")}, 400, "InvalidRequest")
	e.mustErr(req{method: "PUT", path: "/bkt/copy3", header: hdr("X-Amz-Copy-Source", "/bkt/none")}, 404, "NoSuchKey")
	e.mustErr(req{method: "PUT", path: "/bkt/copy3", header: hdr("X-Amz-Copy-Source", "/bkt")}, 400, "InvalidArgument")
	e.mustErr(req{method: "PUT", path: "/bkt/copy3", header: hdr("X-Amz-Copy-Source", "/bkt/copy1", "X-Amz-Copy-Source-If-Match", `"zzz"`)}, 412, "PreconditionFailed")
	e.mustErr(req{method: "PUT", path: "/bkt/copy3", header: hdr("X-Amz-Copy-Source", "/bkt/copy1", "X-Amz-Metadata-Directive", "MERGE")}, 400, "InvalidArgument")

	// Deletes: a missing key is a success, a missing bucket is not.
	e.must(req{method: "DELETE", path: "/bkt/copy2"}, 204)
	e.must(req{method: "DELETE", path: "/bkt/copy2"}, 204)
	e.mustErr(req{method: "DELETE", path: "/nobkt/copy2"}, 404, "NoSuchBucket")
	e.mustErr(req{method: "DELETE", path: "/bkt"}, 409, "BucketNotEmpty")
	e.mustErr(req{method: "POST", path: "/bkt/dir/file.txt"}, 501, "NotImplemented")
}

// TestListObjects lists with prefixes, delimiters, markers and pages in
// both versions of ListObjects.
func TestListObjects(t *testing.T) {
	e := newEnv(t)
	e.must(req{method: "PUT", path: "/list"}, 200)
	keys := []string{"a.txt", "dir/one", "dir/two", "dir/sub/three", "z z.txt"}
	for _, k := range keys {
		e.must(req{method: "PUT", path: "/list/" + strings.ReplaceAll(k, " ", "%20"), body: []byte(k)}, 200)
	}
	_, body := e.must(req{method: "GET", path: "/list"}, 200)
	l := decode[objectList](t, body)
	if len(l.Contents) != 5 || l.IsTruncated || l.MaxKeys != 1000 || l.Name != "list" {
		t.Fatalf("all: %+v", l)
	}
	if c := l.Contents[0]; c.Key != "a.txt" || c.Size != 5 || c.ETag != `"`+md5hex([]byte("a.txt"))+`"` || c.StorageClass != "STANDARD" ||
		c.Owner == nil || c.Owner.ID != "project-1111:member-a" || !strings.HasSuffix(c.LastModified, ".000Z") {
		t.Errorf("first: %+v", c)
	}
	_, body = e.must(req{method: "GET", path: "/list?delimiter=/&prefix=dir/"}, 200)
	l = decode[objectList](t, body)
	if len(l.Contents) != 2 || len(l.CommonPrefixes) != 1 || l.CommonPrefixes[0].Prefix != "dir/sub/" || l.Prefix != "dir/" || l.Delimiter != "/" {
		t.Errorf("delimited: %+v", l)
	}
	_, body = e.must(req{method: "GET", path: "/list?max-keys=2&delimiter=/"}, 200)
	l = decode[objectList](t, body)
	if len(l.Contents)+len(l.CommonPrefixes) != 2 || !l.IsTruncated || l.NextMarker != "dir/" {
		t.Errorf("page: %+v", l)
	}
	_, body = e.must(req{method: "GET", path: "/list?marker=dir/two"}, 200)
	if l = decode[objectList](t, body); len(l.Contents) != 1 || l.Contents[0].Key != "z z.txt" || l.Marker != "dir/two" {
		t.Errorf("marker: %+v", l)
	}
	_, body = e.must(req{method: "GET", path: "/list?encoding-type=url&prefix=z"}, 200)
	if l = decode[objectList](t, body); len(l.Contents) != 1 || l.Contents[0].Key != "z%20z.txt" || l.EncodingType != "url" {
		t.Errorf("url encoding: %+v", l)
	}
	// Version 2: pages by continuation token.
	var got []string
	token := ""
	for i := 0; i < 5; i++ {
		p := "/list?list-type=2&max-keys=2"
		if token != "" {
			p += "&continuation-token=" + q(token)
		}
		_, body = e.must(req{method: "GET", path: p}, 200)
		l = decode[objectList](t, body)
		if l.KeyCount != len(l.Contents) {
			t.Errorf("KeyCount %d for %d", l.KeyCount, len(l.Contents))
		}
		for _, c := range l.Contents {
			got = append(got, c.Key)
			if c.Owner != nil {
				t.Errorf("v2 without fetch-owner shows the owner")
			}
		}
		if !l.IsTruncated {
			break
		}
		token = l.NextContinuationToken
	}
	if strings.Join(got, ",") != "a.txt,dir/one,dir/sub/three,dir/two,z z.txt" {
		t.Errorf("v2 pages: %v", got)
	}
	_, body = e.must(req{method: "GET", path: "/list?list-type=2&start-after=dir/two&fetch-owner=true"}, 200)
	if l = decode[objectList](t, body); len(l.Contents) != 1 || l.StartAfter != "dir/two" || l.Contents[0].Owner == nil {
		t.Errorf("start-after: %+v", l)
	}
	e.mustErr(req{method: "GET", path: "/list?max-keys=-1"}, 400, "InvalidArgument")
	e.mustErr(req{method: "GET", path: "/list?max-keys=lots"}, 400, "InvalidArgument")
	e.mustErr(req{method: "GET", path: "/list?encoding-type=base64"}, 400, "InvalidArgument")
	e.mustErr(req{method: "GET", path: "/list?list-type=two"}, 400, "InvalidArgument")
	e.mustErr(req{method: "GET", path: "/list?list-type=2&continuation-token=%25%25"}, 400, "InvalidArgument")
}

// TestDeleteObjects is POST ?delete, loud and quiet.
func TestDeleteObjects(t *testing.T) {
	e := newEnv(t)
	e.must(req{method: "PUT", path: "/mdel"}, 200)
	for _, k := range []string{"a", "b", "c"} {
		e.must(req{method: "PUT", path: "/mdel/" + k, body: []byte(k)}, 200)
	}
	doc := []byte(`<Delete><Object><Key>a</Key></Object><Object><Key>missing</Key></Object></Delete>`)
	_, body := e.must(req{method: "POST", path: "/mdel?delete", body: doc, header: hdr("Content-MD5", md5b64(doc))}, 200)
	res := decode[struct {
		Deleted []struct{ Key string }
		Error   []struct{ Key, Code string }
	}](t, body)
	if len(res.Deleted) != 2 || res.Deleted[0].Key != "a" || res.Deleted[1].Key != "missing" || len(res.Error) != 0 {
		t.Errorf("result %s", body)
	}
	doc = []byte(`<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Quiet>true</Quiet><Object><Key>b</Key></Object><Object><Key>c</Key></Object></Delete>`)
	_, body = e.must(req{method: "POST", path: "/mdel?delete", body: doc, header: hdr("Content-MD5", md5b64(doc))}, 200)
	if strings.Contains(body, "<Deleted>") {
		t.Errorf("quiet result %s", body)
	}
	_, body = e.must(req{method: "GET", path: "/mdel"}, 200)
	if l := decode[objectList](t, body); len(l.Contents) != 0 {
		t.Errorf("left: %+v", l.Contents)
	}
	e.mustErr(req{method: "POST", path: "/mdel?delete", body: doc}, 400, "InvalidRequest")
	e.mustErr(req{method: "POST", path: "/mdel?delete", body: doc, header: hdr("Content-MD5", md5b64([]byte("x")))}, 400, "BadDigest")
	bad := []byte(`<Delete><Object><Key></Key></Object></Delete>`)
	e.mustErr(req{method: "POST", path: "/mdel?delete", body: bad, header: hdr("Content-MD5", md5b64(bad))}, 400, "UserKeyMustBeSpecified")
	bad = []byte(`<Delete><Object>`)
	e.mustErr(req{method: "POST", path: "/mdel?delete", body: bad, header: hdr("Content-MD5", md5b64(bad))}, 400, "MalformedXML")
	e.mustErr(req{method: "POST", path: "/mdel?delete"}, 400, "MissingRequestBodyError")
	e.must(req{method: "DELETE", path: "/mdel"}, 204)
}

// TestMultipart uploads three parts of 5 MiB, lists them, completes the
// upload and reads the large object back.
func TestMultipart(t *testing.T) {
	e := newEnv(t)
	e.must(req{method: "PUT", path: "/mpu"}, 200)
	_, body := e.must(req{method: "POST", path: "/mpu/big.bin?uploads", header: hdr("Content-Type", "application/x-big", "X-Amz-Meta-Kind", "large")}, 200)
	init := decode[struct{ Bucket, Key, UploadId string }](t, body)
	if init.Bucket != "mpu" || init.Key != "big.bin" || len(init.UploadId) != 48 {
		t.Fatalf("initiate: %s", body)
	}
	id := init.UploadId
	parts := [][]byte{bytes.Repeat([]byte("1"), 5<<20), bytes.Repeat([]byte("2"), 5<<20), []byte("the end")}
	var etags []string
	for i, p := range parts {
		resp, _ := e.must(req{method: "PUT", path: fmt.Sprintf("/mpu/big.bin?partNumber=%d&uploadId=%s", i+1, id), body: p, unsigned: true}, 200)
		etags = append(etags, resp.Header.Get("ETag"))
		if etags[i] != `"`+md5hex(p)+`"` {
			t.Errorf("part %d ETag %q", i+1, etags[i])
		}
	}
	e.mustErr(req{method: "PUT", path: "/mpu/big.bin?partNumber=1&uploadId=nope", body: []byte("x")}, 404, "NoSuchUpload")
	e.mustErr(req{method: "PUT", path: "/mpu/big.bin?partNumber=0&uploadId=" + id, body: []byte("x")}, 400, "InvalidArgument")
	e.mustErr(req{method: "PUT", path: "/mpu/big.bin?partNumber=10001&uploadId=" + id, body: []byte("x")}, 400, "InvalidArgument")

	_, body = e.must(req{method: "GET", path: "/mpu/big.bin?uploadId=" + id}, 200)
	lp := decode[struct {
		Parts []struct {
			PartNumber int
			ETag       string
			Size       int64
		} `xml:"Part"`
		NextPartNumberMarker int
		IsTruncated          bool
	}](t, body)
	if len(lp.Parts) != 3 || lp.Parts[2].Size != 7 || lp.Parts[0].ETag != etags[0] || lp.NextPartNumberMarker != 3 || lp.IsTruncated {
		t.Errorf("list parts: %s", body)
	}
	_, body = e.must(req{method: "GET", path: "/mpu/big.bin?uploadId=" + id + "&max-parts=1&part-number-marker=1"}, 200)
	if !strings.Contains(body, "<PartNumber>2</PartNumber>") || !strings.Contains(body, "<IsTruncated>true</IsTruncated>") {
		t.Errorf("list parts page: %s", body)
	}
	_, body = e.must(req{method: "GET", path: "/mpu?uploads"}, 200)
	if !strings.Contains(body, "<UploadId>"+id+"</UploadId>") || !strings.Contains(body, "<Key>big.bin</Key>") {
		t.Errorf("list uploads: %s", body)
	}

	complete := func(nums []int, tags []string) []byte {
		var b strings.Builder
		b.WriteString("<CompleteMultipartUpload>")
		for i, n := range nums {
			fmt.Fprintf(&b, "<Part><PartNumber>%d</PartNumber><ETag>%s</ETag></Part>", n, tags[i])
		}
		b.WriteString("</CompleteMultipartUpload>")
		return []byte(b.String())
	}
	e.mustErr(req{method: "POST", path: "/mpu/big.bin?uploadId=" + id, body: complete([]int{2, 1}, etags)}, 400, "InvalidPartOrder")
	e.mustErr(req{method: "POST", path: "/mpu/big.bin?uploadId=" + id, body: complete([]int{1, 2, 3}, []string{etags[0], etags[2], etags[1]})}, 400, "InvalidPart")
	e.mustErr(req{method: "POST", path: "/mpu/big.bin?uploadId=" + id, body: complete([]int{1, 3, 2}, etags)}, 400, "InvalidPartOrder")
	e.mustErr(req{method: "POST", path: "/mpu/big.bin?uploadId=" + id, body: complete([]int{1, 3}, []string{etags[0], "xyz"})}, 400, "InvalidPart")
	e.mustErr(req{method: "POST", path: "/mpu/big.bin?uploadId=" + id, body: []byte("<CompleteMultipartUpload/>")}, 400, "MalformedXML")
	e.mustErr(req{method: "POST", path: "/mpu/big.bin?uploadId=" + id}, 400, "InvalidRequest")

	_, body = e.must(req{method: "POST", path: "/mpu/big.bin?uploadId=" + id, body: complete([]int{1, 2, 3}, etags)}, 200)
	h := md5.New()
	for _, p := range parts {
		s := md5.Sum(p)
		h.Write(s[:])
	}
	wantETag := `"` + hex.EncodeToString(h.Sum(nil)) + `-3"`
	res := decode[struct{ Location, Bucket, Key, ETag string }](t, body)
	if res.ETag != wantETag || res.Bucket != "mpu" || res.Key != "big.bin" || !strings.HasSuffix(res.Location, "/mpu/big.bin") {
		t.Errorf("complete: %s (want ETag %s)", body, wantETag)
	}
	// A retried completion answers the same.
	_, body = e.must(req{method: "POST", path: "/mpu/big.bin?uploadId=" + id, body: complete([]int{1, 2, 3}, etags)}, 200)
	if decode[struct{ ETag string }](t, body).ETag != wantETag {
		t.Errorf("retried complete: %s", body)
	}

	resp, body := e.must(req{method: "GET", path: "/mpu/big.bin"}, 200)
	if want := bytes.Join(parts, nil); body != string(want) {
		t.Errorf("object: %d bytes, want %d", len(body), len(want))
	}
	if resp.Header.Get("ETag") != wantETag || resp.Header.Get("Content-Type") != "application/x-big" || resp.Header.Get("x-amz-meta-kind") != "large" {
		t.Errorf("object headers: %v", resp.Header)
	}
	_, body = e.must(req{method: "GET", path: "/mpu/big.bin", header: hdr("Range", fmt.Sprintf("bytes=%d-%d", 5<<20-2, 5<<20+1), "If-Match", wantETag)}, 206)
	if body != "1122" {
		t.Errorf("range across parts: %q", body)
	}
	resp, body = e.must(req{method: "GET", path: "/mpu/big.bin?partNumber=3"}, 206)
	if body != "the end" || resp.Header.Get("Content-Range") != fmt.Sprintf("bytes %d-%d/%d", 10<<20, 10<<20+6, 10<<20+7) || resp.Header.Get("x-amz-mp-parts-count") != "3" {
		t.Errorf("part 3: %q %v", body, resp.Header)
	}
	resp, _ = e.must(req{method: "HEAD", path: "/mpu/big.bin?partNumber=2"}, 206)
	if resp.Header.Get("Content-Length") != fmt.Sprint(5<<20) || resp.Header.Get("Content-Range") != fmt.Sprintf("bytes %d-%d/%d", 5<<20, 10<<20-1, 10<<20+7) {
		t.Errorf("HEAD part 2: %v", resp.Header)
	}
	e.mustErr(req{method: "GET", path: "/mpu/big.bin?partNumber=4"}, 416, "InvalidPartNumber")
	// Conditions compare with the S3 ETag.
	e.mustErr(req{method: "GET", path: "/mpu/big.bin", header: hdr("If-Match", `"`+md5hex(parts[0])+`"`)}, 412, "PreconditionFailed")
	e.must(req{method: "GET", path: "/mpu/big.bin", header: hdr("If-None-Match", wantETag)}, 304)
	e.must(req{method: "PUT", path: "/mpu/copy", header: hdr("X-Amz-Copy-Source", "/mpu/big.bin", "X-Amz-Copy-Source-If-Match", wantETag)}, 200)
	e.mustErr(req{method: "PUT", path: "/mpu/copy", header: hdr("X-Amz-Copy-Source", "/mpu/big.bin", "X-Amz-Copy-Source-If-None-Match", wantETag)}, 412, "PreconditionFailed")
	e.must(req{method: "DELETE", path: "/mpu/copy"}, 204)
	_, body = e.must(req{method: "GET", path: "/mpu"}, 200)
	// The listed size of a large object is the container server's
	// business (swift_bytes); the ETag is S3's.
	if l := decode[objectList](t, body); len(l.Contents) != 1 || l.Contents[0].ETag != wantETag {
		t.Errorf("listing: %s", body)
	}
	_, body = e.must(req{method: "GET", path: "/mpu?uploads"}, 200)
	if strings.Contains(body, "<Upload>") {
		t.Errorf("completed upload still listed: %s", body)
	}
	// Deleting the object deletes its parts; then the bucket goes.
	e.must(req{method: "DELETE", path: "/mpu/big.bin"}, 204)
	e.must(req{method: "DELETE", path: "/mpu"}, 204)
}

// TestMultipartRefusals covers the minimum part size and aborts.
func TestMultipartRefusals(t *testing.T) {
	e := newEnv(t)
	e.must(req{method: "PUT", path: "/mpr"}, 200)
	_, body := e.must(req{method: "POST", path: "/mpr/k?uploads"}, 200)
	id := decode[struct{ UploadId string }](t, body).UploadId
	var tags []string
	for i, p := range []string{"small", "last"} {
		resp, _ := e.must(req{method: "PUT", path: fmt.Sprintf("/mpr/k?partNumber=%d&uploadId=%s", i+1, id), body: []byte(p)}, 200)
		tags = append(tags, resp.Header.Get("ETag"))
	}
	doc := []byte("<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>" + tags[0] + "</ETag></Part><Part><PartNumber>2</PartNumber><ETag>" + tags[1] + "</ETag></Part></CompleteMultipartUpload>")
	e.mustErr(req{method: "POST", path: "/mpr/k?uploadId=" + id, body: doc}, 400, "EntityTooSmall")
	// A single small part is fine: the last part has no minimum.
	one := []byte("<CompleteMultipartUpload><Part><PartNumber>2</PartNumber><ETag>" + tags[1] + "</ETag></Part></CompleteMultipartUpload>")
	_, body = e.must(req{method: "POST", path: "/mpr/k?uploadId=" + id, body: one}, 200)
	_, body = e.must(req{method: "GET", path: "/mpr/k"}, 200)
	if body != "last" {
		t.Errorf("object %q", body)
	}

	_, body = e.must(req{method: "POST", path: "/mpr/gone?uploads"}, 200)
	id = decode[struct{ UploadId string }](t, body).UploadId
	e.must(req{method: "PUT", path: "/mpr/gone?partNumber=1&uploadId=" + id, body: []byte("x")}, 200)
	e.must(req{method: "DELETE", path: "/mpr/gone?uploadId=" + id}, 204)
	e.mustErr(req{method: "GET", path: "/mpr/gone?uploadId=" + id}, 404, "NoSuchUpload")
	e.mustErr(req{method: "DELETE", path: "/mpr/gone?uploadId=" + id}, 404, "NoSuchUpload")
	e.mustErr(req{method: "POST", path: "/mpr?uploads"}, 400, "InvalidRequest")
	e.mustErr(req{method: "POST", path: "/nobkt/k?uploads"}, 404, "NoSuchBucket")
}

// TestACL reads and sets bucket ACLs.
func TestACL(t *testing.T) {
	e := newEnv(t)
	e.must(req{method: "PUT", path: "/acl"}, 200)
	resp, body := e.must(req{method: "GET", path: "/acl?acl"}, 200)
	if resp.Header.Get("Content-Type") != "text/plain" || !strings.Contains(body, "<Permission>FULL_CONTROL</Permission>") || strings.Contains(body, "AllUsers") {
		t.Errorf("private ACL: %s", body)
	}
	e.must(req{method: "PUT", path: "/acl?acl", header: hdr("X-Amz-Acl", "public-read")}, 200)
	_, body = e.must(req{method: "GET", path: "/acl?acl"}, 200)
	if !strings.Contains(body, `<Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission>`) {
		t.Errorf("public-read ACL: %s", body)
	}
	policy := []byte(`<AccessControlPolicy xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><AccessControlList><Grant><Grantee xsi:type="CanonicalUser"><ID>x</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant></AccessControlList></AccessControlPolicy>`)
	e.must(req{method: "PUT", path: "/acl?acl", body: policy}, 200)
	_, body = e.must(req{method: "GET", path: "/acl?acl"}, 200)
	if strings.Contains(body, "AllUsers") {
		t.Errorf("private again: %s", body)
	}
	e.mustErr(req{method: "PUT", path: "/acl?acl"}, 400, "MissingSecurityHeader")
	e.mustErr(req{method: "PUT", path: "/acl?acl", body: policy, header: hdr("X-Amz-Acl", "private")}, 400, "UnexpectedContent")
	e.mustErr(req{method: "PUT", path: "/acl?acl", header: hdr("X-Amz-Acl", "everyone")}, 400, "InvalidArgument")
	e.mustErr(req{method: "PUT", path: "/acl?acl", header: hdr("X-Amz-Acl", "authenticated-read")}, 501, "NotImplemented")
	e.mustErr(req{method: "PUT", path: "/acl?acl", body: []byte("<nope")}, 400, "MalformedACLError")
	e.must(req{method: "PUT", path: "/acl/obj", body: []byte("x")}, 200)
	_, body = e.must(req{method: "GET", path: "/acl/obj?acl"}, 200)
	if !strings.Contains(body, "FULL_CONTROL") {
		t.Errorf("object ACL: %s", body)
	}
	e.mustErr(req{method: "PUT", path: "/acl/obj?acl", header: hdr("X-Amz-Acl", "private")}, 501, "NotImplemented")
	e.must(req{method: "PUT", path: "/pub", header: hdr("X-Amz-Acl", "public-read")}, 200)
	_, body = e.must(req{method: "GET", path: "/pub?acl"}, 200)
	if !strings.Contains(body, "AllUsers") {
		t.Errorf("bucket created public-read: %s", body)
	}
}

// TestSubresources covers the subresources s3api answers without
// backing features: versions listings, logging, tagging, object lock.
func TestSubresources(t *testing.T) {
	e := newEnv(t)
	e.must(req{method: "PUT", path: "/subr"}, 200)
	e.must(req{method: "PUT", path: "/subr/k", body: []byte("v")}, 200)
	_, body := e.must(req{method: "GET", path: "/subr?versions"}, 200)
	if !strings.Contains(body, "<ListVersionsResult") || !strings.Contains(body, "<Version><Key>k</Key><VersionId>null</VersionId><IsLatest>true</IsLatest>") {
		t.Errorf("versions: %s", body)
	}
	e.mustErr(req{method: "GET", path: "/subr?versions&version-id-marker=x"}, 400, "InvalidArgument")
	_, body = e.must(req{method: "GET", path: "/subr?logging"}, 200)
	if !strings.Contains(body, "<BucketLoggingStatus") {
		t.Errorf("logging: %s", body)
	}
	e.mustErr(req{method: "GET", path: "/subr/k?logging"}, 400, "NoLoggingStatusForKey")
	e.mustErr(req{method: "PUT", path: "/subr?logging", body: []byte("<BucketLoggingStatus/>")}, 501, "NotImplemented")
	_, body = e.must(req{method: "GET", path: "/subr/k?tagging"}, 200)
	if !strings.Contains(body, "<Tagging") || !strings.Contains(body, "<TagSet/>") {
		t.Errorf("tagging: %s", body)
	}
	e.mustErr(req{method: "PUT", path: "/subr/k?tagging", body: []byte("<Tagging/>")}, 501, "NotImplemented")
	e.mustErr(req{method: "GET", path: "/subr?object-lock"}, 404, "ObjectLockConfigurationNotFoundError")
	e.mustErr(req{method: "GET", path: "/subr?cors"}, 501, "NotImplemented")
	e.mustErr(req{method: "GET", path: "/subr/k?versionId=3"}, 501, "NotImplemented")
	e.mustErr(req{method: "DELETE", path: "/subr/k?versionId=3"}, 501, "NotImplemented")
	e.mustErr(req{method: "PUT", path: "/subr/k", body: []byte("v"), header: hdr("X-Amz-Server-Side-Encryption", "AES256")}, 501, "NotImplemented")
	e.mustErr(req{method: "PUT", path: "/subr/k", body: []byte("v"), header: hdr("X-Amz-Tagging", "a=b")}, 501, "NotImplemented")
	e.mustErr(req{method: "GET", path: "/subr/k?partNumber=2"}, 416, "InvalidPartNumber")
	resp, _ := e.must(req{method: "GET", path: "/subr/k?partNumber=1"}, 206)
	if resp.Header.Get("Content-Range") != "bytes 0-0/1" {
		t.Errorf("part 1 of a plain object: %v", resp.Header)
	}
	e.mustErr(req{method: "GET", path: "/subr/k?partNumber=1", header: hdr("Range", "bytes=0-0")}, 400, "InvalidRequest")
}

// TestUploadPartCopy copies a range of an object into a part and lists
// uploads by prefix and delimiter.
func TestUploadPartCopy(t *testing.T) {
	e := newEnv(t)
	e.must(req{method: "PUT", path: "/upc"}, 200)
	e.must(req{method: "PUT", path: "/upc/src", body: []byte("0123456789")}, 200)
	_, body := e.must(req{method: "POST", path: "/upc/dir/dst?uploads"}, 200)
	id := decode[struct{ UploadId string }](t, body).UploadId
	_, body = e.must(req{method: "PUT", path: "/upc/dir/dst?partNumber=1&uploadId=" + id,
		header: hdr("X-Amz-Copy-Source", "/upc/src", "X-Amz-Copy-Source-Range", "bytes=2-5")}, 200)
	if !strings.Contains(body, "<CopyPartResult") || !strings.Contains(body, md5hex([]byte("2345"))) {
		t.Errorf("copy part: %s", body)
	}
	e.mustErr(req{method: "PUT", path: "/upc/dir/dst?partNumber=2&uploadId=" + id,
		header: hdr("X-Amz-Copy-Source", "/upc/src", "X-Amz-Copy-Source-Range", "bytes=20-30")}, 400, "InvalidArgument")
	e.mustErr(req{method: "PUT", path: "/upc/dir/dst?partNumber=2&uploadId=" + id,
		header: hdr("X-Amz-Copy-Source", "/upc/src", "X-Amz-Copy-Source-Range", "items=1-2")}, 400, "InvalidArgument")
	_, body = e.must(req{method: "GET", path: "/upc?uploads&delimiter=/"}, 200)
	if !strings.Contains(body, "<CommonPrefixes><Prefix>dir/</Prefix></CommonPrefixes>") || strings.Contains(body, "<Upload>") {
		t.Errorf("uploads by delimiter: %s", body)
	}
	_, body = e.must(req{method: "GET", path: "/upc?uploads&prefix=dir/"}, 200)
	if !strings.Contains(body, "<Key>dir/dst</Key>") {
		t.Errorf("uploads by prefix: %s", body)
	}
	e.mustErr(req{method: "GET", path: "/upc/k?uploads"}, 400, "InvalidRequest")
	doc := []byte("<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>" + md5hex([]byte("2345")) + "</ETag></Part></CompleteMultipartUpload>")
	e.must(req{method: "POST", path: "/upc/dir/dst?uploadId=" + id, body: doc}, 200)
	_, body = e.must(req{method: "GET", path: "/upc/dir/dst"}, 200)
	if body != "2345" {
		t.Errorf("object %q", body)
	}
	// The bucket goes with its segments container.
	e.must(req{method: "DELETE", path: "/upc/dir/dst"}, 204)
	e.must(req{method: "DELETE", path: "/upc/src"}, 204)
	e.must(req{method: "DELETE", path: "/upc"}, 204)
	e.mustErr(req{method: "HEAD", path: "/upc"}, 404, "")
}
