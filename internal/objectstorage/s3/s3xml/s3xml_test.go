package s3xml

import (
	"testing"
	"time"
)

// TestDoc pins a document as lxml writes it.
func TestDoc(t *testing.T) {
	got := string(New("ListBucketResult").El("Name", "a&b").Empty("Prefix").Opt("Marker", "m", true).
		Open("Contents").El("Key", "k<").Owner("Owner", "p:u").Close().Bytes())
	want := "<?xml version='1.0' encoding='UTF-8'?>\n<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">" +
		"<Name>a&amp;b</Name><Prefix/><Marker>m</Marker><Contents><Key>k&lt;</Key><Owner><ID>p:u</ID><DisplayName>p:u</DisplayName></Owner></Contents></ListBucketResult>"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// TestParse takes S3's namespace or none, and nothing else.
func TestParse(t *testing.T) {
	var v struct{ Quiet string }
	for doc, ok := range map[string]bool{
		`<Delete><Quiet>true</Quiet></Delete>`:                              true,
		`<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></Delete>`: true,
		`<Delete xmlns="urn:other"></Delete>`:                               false,
		`<Other/>`:                                                          false,
		`<Delete>`:                                                          false,
	} {
		if err := Parse([]byte(doc), "Delete", &v); (err == nil) != ok {
			t.Errorf("%s: %v", doc, err)
		}
	}
}

// TestTime rounds up to whole seconds, as S3Timestamp.s3xmlformat.
func TestTime(t *testing.T) {
	if got := Time(time.Date(2026, 1, 2, 3, 4, 5, 1, time.UTC)); got != "2026-01-02T03:04:06.000Z" {
		t.Errorf("Time = %s", got)
	}
	if got := ListingTime("2026-01-02T03:04:05.000000"); got != "2026-01-02T03:04:05.000Z" {
		t.Errorf("ListingTime = %s", got)
	}
}
