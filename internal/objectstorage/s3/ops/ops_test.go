package ops

import "testing"

// TestSingleRange checks HEAD's own range answer against swob's rules.
func TestSingleRange(t *testing.T) {
	for _, c := range []struct {
		v          string
		length     int64
		start, end int64
		ok, unsat  bool
	}{
		{"bytes=0-4", 10, 0, 5, true, false},
		{"bytes=5-", 10, 5, 10, true, false},
		{"bytes=-3", 10, 7, 10, true, false},
		{"bytes=-30", 10, 0, 10, true, false},
		{"bytes=8-100", 10, 8, 10, true, false},
		{"bytes=10-12", 10, 0, 0, false, true},
		{"bytes=-0", 10, 0, 0, false, true},
		{"bytes=0-1,3-4", 10, 0, 0, false, false},
		{"bytes=4-2", 10, 0, 0, false, false},
		{"items=0-1", 10, 0, 0, false, false},
	} {
		s, e, ok, unsat := SingleRange(c.v, c.length)
		if s != c.start || e != c.end || ok != c.ok || unsat != c.unsat {
			t.Errorf("%s: got %d %d %v %v", c.v, s, e, ok, unsat)
		}
	}
}

// TestValidBucketName checks S3's DNS-compliant bucket names.
func TestValidBucketName(t *testing.T) {
	for name, want := range map[string]bool{
		"abc": true, "my-bucket.v2": true, "1bucket": true,
		"ab": false, "Abc": false, "a_b": false, "a..b": false, "a.-b": false, "a-.b": false, "-ab": false, "ab-": false,
		"ab.": false, "10.0.0.1": false, "999.0.0.1": true,
	} {
		if ValidBucketName(name) != want {
			t.Errorf("%q: want %v", name, want)
		}
	}
}

// TestETagMatches checks If-Match lists against S3 ETags.
func TestETagMatches(t *testing.T) {
	for _, c := range []struct {
		list, etag string
		want       bool
	}{
		{`"abc"`, `"abc"`, true},
		{`"x", "abc"`, `"abc"`, true},
		{`*`, `"abc"`, true},
		{`W/"abc"`, `"abc"`, true},
		{`"abc"`, `"abd"`, false},
		{`"abc"`, `"abc-N"`, true},
		{`"abc-N"`, `"abc-N"`, true},
		{`"abc"`, `"abc-2"`, false},
	} {
		if got := etagMatches(c.list, c.etag); got != c.want {
			t.Errorf("%s vs %s: %v", c.list, c.etag, got)
		}
	}
}

// TestReferrerAllowed checks which container ACLs S3 shows as public.
func TestReferrerAllowed(t *testing.T) {
	for acl, want := range map[string]bool{
		".r:*,.rlistings": true, ".r:*": true, ".": false, "": false, ".r:example.com": false, ".r:*,.r:-*": false, "p:u": false,
	} {
		if referrerAllowed(acl) != want {
			t.Errorf("%q: want %v", acl, want)
		}
	}
}
