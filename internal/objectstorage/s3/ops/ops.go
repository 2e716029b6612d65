// Package ops serves the bucket and object operations of the S3 API —
// GET Service, the bucket operations (listing, create, delete, ACLs,
// location...) and the object operations (GET, PUT, copy, delete,
// multi-delete) — as Swift's s3api controllers do, through Swift
// subrequests made by package backend.
package ops

import (
	"io"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/gostack/gostack/internal/objectstorage/s3/backend"
	"github.com/gostack/gostack/internal/objectstorage/s3/s3err"
	"github.com/gostack/gostack/internal/objectstorage/s3/sig"
)

// Limits are the S3 API's settings the operations read.
type Limits struct {
	Region                string
	MaxBucketListing      int
	MaxPartsListing       int
	MaxUploadPartNum      int
	MaxMultiDeleteObjects int
	MinSegmentSize        int64
	MaxObjectNameLength   int
	Log                   *slog.Logger
}

// Request is an authenticated S3 request being served: its subrequest
// client, the client's request and response, and what the path named.
type Request struct {
	*backend.Client
	W      http.ResponseWriter
	R      *http.Request
	Q      sig.Query
	Limits *Limits
	// UserID is s3api's "<project name>:<user name>", the owner its
	// documents name.
	UserID      string
	Bucket, Key string
}

// WriteXML sends an XML document.
func (c *Request) WriteXML(status int, body []byte) error {
	h := c.W.Header()
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	c.W.WriteHeader(status)
	if c.R.Method != http.MethodHead {
		_, _ = c.W.Write(body) // the client is gone if this fails
	}
	return nil
}

// WriteEmpty sends a response without a body.
func (c *Request) WriteEmpty(status int) error {
	c.W.Header().Set("Content-Length", "0")
	c.W.WriteHeader(status)
	return nil
}

// ReadXML reads a request body of at most max bytes for an XML document
// (S3Request.xml): nil when there is none.
func (c *Request) ReadXML(max int64) ([]byte, error) {
	te := c.R.TransferEncoding
	if len(te) > 1 || len(te) == 1 && te[0] != "chunked" {
		return nil, s3err.NotImplemented("A header you provided implies functionality that is not implemented", "Header", "Transfer-Encoding")
	}
	if c.R.ContentLength > max {
		return nil, s3err.MalformedXML()
	}
	if c.R.ContentLength == 0 || c.R.Body == nil || c.R.Body == http.NoBody {
		return nil, nil
	}
	buf, err := io.ReadAll(io.LimitReader(c.R.Body, max+1))
	if err != nil {
		if c.BodyErr != nil && *c.BodyErr != nil {
			return nil, *c.BodyErr
		}
		return nil, s3err.IncompleteBody("The request body terminated unexpectedly")
	}
	if int64(len(buf)) > max {
		return nil, s3err.MalformedXML()
	}
	if len(buf) == 0 {
		return nil, nil
	}
	return buf, nil
}

// ObjectOp refuses a request without a key (s3api's object_operation).
func ObjectOp(c *Request) error {
	if c.Key == "" {
		return s3err.InvalidRequest("A key must be specified")
	}
	return nil
}

func itoa(n int) string { return strconv.Itoa(n) }
