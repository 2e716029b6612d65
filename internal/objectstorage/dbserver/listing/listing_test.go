package listing

import (
	"net/http/httptest"
	"os"
	"testing"

	"github.com/gostack/gostack/internal/objectstorage/swift"
)

// The golden files in testdata were written by Python's json.dumps and
// xml.etree.ElementTree.tostring over the same entries, the calls Swift's
// servers and listing_formats make.

var objects = []Object{
	{Name: "a&b <c>", Hash: "d41d8cd98f00b204e9800998ecf8427e", Bytes: 0, ContentType: "text/plain", LastModified: "2014-06-10T22:43:00.581860"},
	{Name: "dir/", Subdir: true},
	{Name: "caf\u00e9 \U0001F954 \"q\" \\ \t", Hash: "abc", Bytes: 1234567, ContentType: "application/x-thing;swift_bytes=5", LastModified: "1970-01-01T00:00:01.000000"},
}

var containers = []Container{
	{Name: "c1", Count: 3, Bytes: 30, LastModified: "2014-06-10T22:43:00.581860", StoragePolicy: "Policy-0"},
	{Name: "d-", Subdir: true},
	{Name: "\u00fc<", LastModified: "1970-01-01T00:00:01.000000"},
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	want, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("%s:\ngot  %s\nwant %s", name, got, want)
	}
}

func TestGolden(t *testing.T) {
	golden(t, "objects.json", ObjectsJSON(nil, objects))
	golden(t, "objects.xml", ObjectsXML(nil, "c \"&<>\n", objects))
	golden(t, "objects-empty.xml", ObjectsXML(nil, "c", nil))
	golden(t, "containers.json", ContainersJSON(nil, containers))
	golden(t, "containers.xml", ContainersXML(nil, "AUTH_a", containers))
	golden(t, "containers-empty.xml", ContainersXML(nil, "AUTH_a", nil))
	if got := string(ObjectsJSON(nil, nil)); got != "[]" {
		t.Errorf("empty json %q", got)
	}
	if got := string(ObjectsPlain(nil, objects[:2])); got != "a&b <c>\ndir/\n" {
		t.Errorf("plain %q", got)
	}
}

func TestContentType(t *testing.T) {
	tests := []struct {
		query, accept string
		want          string
		status        int
	}{
		{"", "", Plain, 0},
		{"format=json", "", JSON, 0},
		{"format=JSON", "", JSON, 0},
		{"format=xml", "text/plain", XML, 0},
		{"format=plain", "application/json", Plain, 0},
		{"format=bogus", "application/json", Plain, 0},
		{"", "application/json", JSON, 0},
		{"", "application/xml", XML, 0},
		{"", "text/xml", TextXML, 0},
		{"", "*/*", Plain, 0},
		{"", "application/*", JSON, 0},
		{"", "text/*;q=0.5, application/json", JSON, 0},
		{"", "application/json;q=0.2, text/xml;q=0.9", TextXML, 0},
		{"", "image/png", "", 406},
		{"", "junk", "", 400},
		{"", "text/plain;q=1;q=2", "", 400},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/sda/1/a/c?"+tt.query, nil)
		if tt.accept != "" {
			r.Header.Set("Accept", tt.accept)
		}
		got, err := ContentType(r)
		if tt.status != 0 {
			he, ok := err.(*swift.HTTPError)
			if !ok || he.Status != tt.status {
				t.Errorf("%q %q: err %v, want status %d", tt.query, tt.accept, err, tt.status)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%q %q: got %q %v, want %q", tt.query, tt.accept, got, err, tt.want)
		}
	}
}

func TestISO(t *testing.T) {
	tests := []struct{ ts, want string }{
		{"1402437380.58186", "2014-06-10T21:56:20.581860"},
		{"0000000001.00000", "1970-01-01T00:00:01.000000"},
		{"1402437380.58186_0000000000000001", "2014-06-10T21:56:20.581860"},
	}
	for _, tt := range tests {
		if got := ISOString(tt.ts); got != tt.want {
			t.Errorf("ISO(%s) = %s, want %s", tt.ts, got, tt.want)
		}
	}
}

func TestParseRoundTrip(t *testing.T) {
	objs, err := ParseObjects(ObjectsJSON(nil, objects))
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "objects.xml", ObjectsXML(nil, "c \"&<>\n", objs))
	cs, err := ParseContainers(ContainersJSON(nil, containers))
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "containers.xml", ContainersXML(nil, "AUTH_a", cs))
	if _, err := ParseObjects([]byte(`[{"bytes": 1}]`)); err == nil {
		t.Error("entry without a name accepted")
	}
}
