// Package s3xml writes and reads the XML documents of the S3 API the way
// Swift's s3api (lxml) does: the declaration, S3's namespace on the root,
// no indentation, and S3's time format.
package s3xml

import (
	"encoding/xml"
	"strings"
	"time"

	"github.com/gostack/gostack/internal/objectstorage/s3/s3err"
)

// NS is the namespace of S3's documents.
const NS = "http://s3.amazonaws.com/doc/2006-03-01/"

// Doc builds a document.
type Doc struct {
	b     strings.Builder
	stack []string
}

// New starts a document with its root element.
func New(root string) *Doc {
	d := &Doc{}
	d.b.WriteString(s3err.Declaration)
	d.b.WriteString("<" + root + ` xmlns="` + NS + `">`)
	d.stack = append(d.stack, root)
	return d
}

// Open starts an element.
func (d *Doc) Open(name string) *Doc {
	d.b.WriteString("<" + name + ">")
	d.stack = append(d.stack, name)
	return d
}

// Close ends the innermost element.
func (d *Doc) Close() *Doc {
	n := d.stack[len(d.stack)-1]
	d.stack = d.stack[:len(d.stack)-1]
	d.b.WriteString("</" + n + ">")
	return d
}

// El writes <name>text</name>.
func (d *Doc) El(name, text string) *Doc {
	d.b.WriteString("<" + name + ">")
	s3err.Escape(&d.b, text)
	d.b.WriteString("</" + name + ">")
	return d
}

// Empty writes <name/>, lxml's form of an element without text.
func (d *Doc) Empty(name string) *Doc {
	d.b.WriteString("<" + name + "/>")
	return d
}

// Opt writes El when set, else Empty (s3api's text=None).
func (d *Doc) Opt(name, v string, set bool) *Doc {
	if set {
		return d.El(name, v)
	}
	return d.Empty(name)
}

// Text writes escaped text inside the current element.
func (d *Doc) Text(s string) *Doc {
	s3err.Escape(&d.b, s)
	return d
}

// Raw writes markup as it is (an element with attributes).
func (d *Doc) Raw(markup string) *Doc {
	d.b.WriteString(markup)
	return d
}

// Owner writes the Owner (or Initiator) of s3api's documents: the
// caller's "<project>:<user>" as both ID and display name.
func (d *Doc) Owner(name, id string) *Doc {
	return d.Open(name).El("ID", id).El("DisplayName", id).Close()
}

// Bytes ends the document.
func (d *Doc) Bytes() []byte {
	for len(d.stack) > 0 {
		d.Close()
	}
	return []byte(d.b.String())
}

// Parse decodes an S3 request document whose root must be root; S3's
// namespace (or none) is taken. Anything else is MalformedXML.
func Parse(data []byte, root string, v any) error {
	var probe struct{ XMLName xml.Name }
	if err := xml.Unmarshal(data, &probe); err != nil || probe.XMLName.Local != root ||
		(probe.XMLName.Space != "" && probe.XMLName.Space != NS) {
		return s3err.MalformedXML()
	}
	if err := xml.Unmarshal(data, v); err != nil {
		return s3err.MalformedXML()
	}
	return nil
}

// Time renders a time as S3's XML does: UTC, whole seconds rounded up,
// ".000Z".
func Time(t time.Time) string {
	if t.Nanosecond() != 0 {
		t = t.Truncate(time.Second).Add(time.Second)
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// ListingTime renders a container listing's last_modified
// ("2026-01-02T03:04:05.123456") as S3 does.
func ListingTime(v string) string {
	t, err := time.Parse("2006-01-02T15:04:05.999999", v)
	if err != nil {
		return v
	}
	return Time(t)
}
