package middleware

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"strconv"
	"strings"
)

// Segment is one piece of a large object's body: a byte range of a plain
// object, or inline data (an SLO data segment).
type Segment struct {
	// Path is the segment object's unescaped path, "/v1/a/c/o"; empty for
	// inline data.
	Path string
	// ETag, when set, is the MD5 the segment object must have (unquoted).
	ETag string
	// Size, when positive, is the size the segment object must have.
	Size int64
	// First and Last are the inclusive byte range to send from the
	// segment object; Last < 0 means to its end.
	First, Last int64
	// Data is an inline segment's bytes, already cut to the range.
	Data []byte
}

// ErrSegment is wrapped by every error about a segment that no longer
// matches its manifest or could not be read (Swift's SegmentError and
// ListingIterError).
var ErrSegment = errors.New("large object segment error")

// Segments streams a large object's body from its segments, fetching
// each with a GET subrequest (?multipart-manifest=get, so that a segment
// is read as the plain object it is) through Next. Open fetches the
// first segment before the caller writes any header, so a missing first
// segment can still become a 409; errors after that end the body early,
// as Swift closes the connection. A Segments is used once.
type Segments struct {
	ctx    context.Context
	next   http.Handler
	header http.Header
	name   string

	pull func() (Segment, error, bool)
	stop func()

	cur    io.ReadCloser
	left   int64     // bytes still to read from cur
	hash   hashCheck // whole-object MD5 check of cur, when not ranged
	data   []byte    // rest of an inline segment
	err    error
	opened bool
}

type hashCheck struct {
	h    interface{ Sum([]byte) []byte }
	w    io.Writer
	want string
	path string
}

// NewSegments returns a reader over segs. header holds what every
// segment GET carries (X-Auth-Token); name is the manifest's path, for
// error messages.
func NewSegments(ctx context.Context, next http.Handler, header http.Header, name string, segs iter.Seq2[Segment, error]) *Segments {
	pull, stop := iter.Pull2(segs)
	return &Segments{ctx: ctx, next: next, header: header, name: name, pull: pull, stop: stop}
}

// Open fetches the first segment (Swift's validate_first_segment). An
// error here means no byte of the body can be sent.
func (s *Segments) Open() error {
	s.opened = true
	if err := s.advance(); err != nil && err != io.EOF {
		s.err = err
		return err
	}
	return nil
}

// advance moves to the next segment with bytes to send, or io.EOF.
func (s *Segments) advance() error {
	if s.cur != nil {
		s.cur.Close()
		s.cur = nil
	}
	for {
		seg, err, ok := s.pull()
		if !ok {
			return io.EOF
		}
		if err != nil {
			return fmt.Errorf("%w: %v", ErrSegment, err)
		}
		if seg.Path == "" {
			if len(seg.Data) == 0 {
				continue
			}
			s.data = seg.Data
			return nil
		}
		return s.fetch(seg)
	}
}

// fetch opens one segment object and checks it against the manifest.
func (s *Segments) fetch(seg Segment) error {
	req := NewRequest(s.ctx, http.MethodGet, seg.Path, "multipart-manifest=get", nil)
	for k, v := range s.header {
		req.Header[k] = v
	}
	ranged := seg.First > 0 || (seg.Last >= 0 && (seg.Size <= 0 || seg.Last != seg.Size-1))
	if ranged {
		last := ""
		if seg.Last >= 0 {
			last = strconv.FormatInt(seg.Last, 10)
		}
		req.Header.Set("Range", "bytes="+strconv.FormatInt(seg.First, 10)+"-"+last)
	}
	resp := Do(s.ctx, s.next, req)
	if resp.StatusCode/100 != 2 {
		body := readShort(resp.Body, 60)
		resp.Body.Close()
		return fmt.Errorf("%w: while processing manifest %s, got %d (%s) while retrieving %s",
			ErrSegment, s.name, resp.StatusCode, body, seg.Path)
	}
	etag := strings.Trim(resp.Header.Get("Etag"), `"`)
	if (seg.ETag != "" && etag != seg.ETag) ||
		(seg.Size > 0 && !ranged && resp.ContentLength != seg.Size) {
		resp.Body.Close()
		return fmt.Errorf("%w: object segment no longer valid: %s etag: %s != %s or %d != %d",
			ErrSegment, seg.Path, etag, seg.ETag, resp.ContentLength, seg.Size)
	}
	s.cur = resp.Body
	s.hash = hashCheck{}
	switch {
	case resp.StatusCode == http.StatusPartialContent || !ranged:
		s.left = resp.ContentLength
		if !ranged && etag != "" {
			h := md5.New()
			s.hash = hashCheck{h: h, w: h, want: etag, path: seg.Path}
		}
	default:
		// The object server ignored the range (an old object server, or
		// X-Backend-Ignore-Range-If-Metadata-Present): skip to the
		// range ourselves.
		if _, err := io.CopyN(io.Discard, resp.Body, seg.First); err != nil {
			return fmt.Errorf("%w: %s: %v", ErrSegment, seg.Path, err)
		}
		if seg.Last >= 0 {
			s.left = seg.Last - seg.First + 1
		} else {
			s.left = resp.ContentLength - seg.First
		}
	}
	if s.left < 0 {
		s.left = -1 << 62 // length unknown: read to EOF
	}
	return nil
}

// Read implements io.Reader over all segments in order.
func (s *Segments) Read(p []byte) (int, error) {
	if !s.opened {
		if err := s.Open(); err != nil {
			return 0, err
		}
	}
	for {
		if s.err != nil {
			return 0, s.err
		}
		if len(s.data) > 0 {
			n := copy(p, s.data)
			s.data = s.data[n:]
			if len(s.data) == 0 {
				s.data = nil
				s.err = s.advance()
			}
			return n, nil
		}
		if s.cur == nil {
			return 0, io.EOF
		}
		if s.left == 0 {
			s.err = s.advance()
			continue
		}
		q := p
		if s.left > 0 && int64(len(q)) > s.left {
			q = q[:s.left]
		}
		n, err := s.cur.Read(q)
		if n > 0 {
			if s.left > 0 {
				s.left -= int64(n)
			}
			if s.hash.w != nil {
				s.hash.w.Write(q[:n])
			}
		}
		switch {
		case err == io.EOF && s.left > 0:
			s.err = fmt.Errorf("%w: segment %s of %s ended %d bytes early", ErrSegment, s.hash.path, s.name, s.left)
		case err == io.EOF || (err == nil && s.left == 0):
			if s.hash.h != nil {
				if got := hex.EncodeToString(s.hash.h.Sum(nil)); got != s.hash.want {
					s.err = fmt.Errorf("%w: bad MD5 checksum for %s as part of %s: headers had %s, but object MD5 was actually %s",
						ErrSegment, s.hash.path, s.name, s.hash.want, got)
					return n, nil
				}
			}
			s.left = 0
			if n == 0 {
				continue
			}
		case err != nil:
			s.err = err
		}
		if n > 0 {
			return n, nil
		}
	}
}

// Close releases the segment being read and stops the segment listing.
func (s *Segments) Close() error {
	if s.cur != nil {
		s.cur.Close()
		s.cur = nil
	}
	s.stop()
	if s.err == nil {
		s.err = io.ErrClosedPipe
	}
	return nil
}

// readShort returns up to max bytes of an error body for a log line,
// shortened with "..." as Swift does.
func readShort(r io.Reader, max int) string {
	b, _ := io.ReadAll(io.LimitReader(r, int64(max)+1))
	if len(b) > max {
		return string(b[:max-3]) + "..."
	}
	return string(b)
}
