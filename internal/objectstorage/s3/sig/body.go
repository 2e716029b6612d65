package sig

import (
	"bufio"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"hash/crc32"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/gostack/gostack/internal/objectstorage/s3/s3err"
)

// minChunk is the smallest aws-chunked chunk but the last, as AWS
// enforces.
const minChunk = 8192

// checksums are the x-amz-checksum-* algorithms s3api checks, with the
// name its BadDigest message gives. CRC64NVME is known but not built,
// as in a Swift without a CRC64 library.
var checksums = map[string]struct {
	name string
	new  func() hash.Hash
}{
	"x-amz-checksum-crc32":     {"CRC32", func() hash.Hash { return crc32.NewIEEE() }},
	"x-amz-checksum-crc32c":    {"CRC32C", func() hash.Hash { return crc32.New(crc32.MakeTable(crc32.Castagnoli)) }},
	"x-amz-checksum-crc64nvme": {"CRC64NVME", nil},
	"x-amz-checksum-sha1":      {"SHA1", sha1.New},
	"x-amz-checksum-sha256":    {"SHA256", sha256.New},
}

// BodyPlan is how the body of a PUT or POST is to be read and checked:
// decoded from aws-chunked, hashed against x-amz-content-sha256, and
// checksummed against an x-amz-checksum-* header or trailer. Plan
// validates the headers before the signature is checked (as s3api
// does); Wrap reads the body once the caller knows the secret.
type BodyPlan struct {
	auth          *Auth
	streaming     bool
	decodedLength int64
	trailers      map[string]bool
	checksumKey   string // header or trailer name
	checksumValue string // the header's value; a trailer's comes later
	fromTrailer   bool
	verify        bool
}

// DecodedLength is the length of the payload an aws-chunked body
// carries; -1 for a body that is not aws-chunked.
func (p *BodyPlan) DecodedLength() int64 {
	if !p.streaming {
		return -1
	}
	return p.decodedLength
}

// NeedsKey reports whether Wrap needs the signing key: the chunks of
// the body are signed.
func (p *BodyPlan) NeedsKey() bool {
	return p.streaming && p.auth.PayloadHash != StreamingUnsignedTrailer
}

// Plan validates the body headers of r (a PUT or a POST); verify says
// whether a checksum header is to be checked (s3api checks it on PUTs
// and multi-deletes). It removes "aws-chunked" from Content-Encoding.
func Plan(r *http.Request, a *Auth, verify bool) (*BodyPlan, error) {
	p := &BodyPlan{auth: a, verify: verify}
	var hdrs []string
	for k := range r.Header {
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, "x-amz-checksum-") && lk != "x-amz-checksum-algorithm" && lk != "x-amz-checksum-type" {
			if _, ok := checksums[lk]; !ok {
				return nil, s3err.InvalidRequest("The algorithm type you specified in x-amz-checksum- header is invalid.")
			}
			hdrs = append(hdrs, lk)
		}
	}
	if len(hdrs) > 1 {
		return nil, s3err.InvalidRequest("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
	}
	var trailer []string
	if t := strings.TrimSpace(r.Header.Get("X-Amz-Trailer")); t != "" {
		for _, v := range strings.Split(strings.TrimRight(t, ","), ",") {
			v = strings.TrimSpace(v)
			if _, ok := checksums[v]; !ok {
				return nil, s3err.InvalidRequest("The value specified in the x-amz-trailer header is not supported")
			}
			trailer = append(trailer, v)
		}
	}
	if len(trailer) > 1 {
		return nil, s3err.InvalidRequest("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
	}
	if len(hdrs)+len(trailer) > 1 {
		return nil, s3err.InvalidRequest("Expecting a single x-amz-checksum- header")
	}
	algo := ""
	switch {
	case len(hdrs) == 1:
		p.checksumKey, p.checksumValue = hdrs[0], r.Header.Get(hdrs[0])
		c := checksums[p.checksumKey]
		if c.new == nil {
			return nil, s3err.NotImplemented("The " + p.checksumKey + " algorithm is not supported.")
		}
		if _, ok := decodeDigest(p.checksumValue, c.new().Size()); !ok {
			return nil, s3err.InvalidRequest("Value for " + p.checksumKey + " header is invalid.")
		}
		algo = c.name
	case len(trailer) == 1:
		p.checksumKey, p.fromTrailer = trailer[0], true
		c := checksums[p.checksumKey]
		if c.new == nil {
			return nil, s3err.NotImplemented("The " + p.checksumKey + " algorithm is not supported.")
		}
		algo = c.name
	}
	if sdk := r.Header.Get("X-Amz-Sdk-Checksum-Algorithm"); sdk != "" {
		if algo == "" {
			return nil, s3err.InvalidRequest("x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.")
		}
		if strings.ToLower(sdk) != strings.ToLower(algo) {
			return nil, s3err.InvalidRequest("Value for x-amz-sdk-checksum-algorithm header is invalid.")
		}
	}
	if IsStreaming(a.PayloadHash) {
		p.streaming = true
		removeAWSChunked(r.Header)
		p.decodedLength, _ = strconv.ParseInt(r.Header.Get("X-Amz-Decoded-Content-Length"), 10, 64)
		p.trailers = map[string]bool{}
		if a.PayloadHash == StreamingPayloadTrailer {
			p.trailers["x-amz-trailer-signature"] = true
		}
		if p.fromTrailer {
			p.trailers[p.checksumKey] = true
		}
	} else if p.fromTrailer {
		return nil, s3err.MalformedTrailer()
	}
	return p, nil
}

// removeAWSChunked drops "aws-chunked" from Content-Encoding, and the
// header with it when nothing else is left.
func removeAWSChunked(h http.Header) {
	ce := h.Get("Content-Encoding")
	if !strings.Contains(ce, "aws-chunked") {
		return
	}
	var keep []string
	for _, e := range strings.Split(ce, ",") {
		if e = strings.TrimSpace(e); e != "" && e != "aws-chunked" {
			keep = append(keep, e)
		}
	}
	if len(keep) == 0 {
		h.Del("Content-Encoding")
	} else {
		h.Set("Content-Encoding", strings.Join(keep, ", "))
	}
}

// decodeDigest decodes a base64 checksum of exactly size bytes.
func decodeDigest(v string, size int) ([]byte, bool) {
	b, err := base64.StdEncoding.Strict().DecodeString(v)
	return b, err == nil && len(b) == size
}

// Wrap returns the body to pass on: the decoded payload of an aws-chunked
// body, checked against its chunk signatures (key is the signing key of
// the request's scope; nil when the chunks are unsigned) and against the
// hashes the headers name. length is the Content-Length of r. The last
// bytes of a body that fails a check are never returned: its reader
// answers the error instead, so a PUT of it does not complete.
func (p *BodyPlan) Wrap(body io.Reader, length int64, key []byte) (io.Reader, error) {
	if p.NeedsKey() && key == nil {
		// s3api's answer when its auth middleware gave it no secret.
		return nil, s3err.NotImplemented("Transferring payloads in multiple chunks using aws-chunked is not supported.")
	}
	var rd io.Reader = body
	var trailers map[string]string
	if p.streaming {
		c := &chunked{r: bufio.NewReaderSize(body, 16<<10), remaining: p.decodedLength, total: p.decodedLength,
			lastSize: -1, expect: p.trailers, trailers: map[string]string{}, hash: sha256.New()}
		if p.NeedsKey() {
			c.key, c.prevSig, c.amzDate, c.scope = key, p.auth.Signature, p.auth.AmzDate(), p.auth.Scope
		}
		rd, trailers, length = c, c.trailers, p.decodedLength
	} else if ph := p.auth.PayloadHash; ph != "" && ph != UnsignedPayload && length >= 0 {
		want := strings.ToLower(ph)
		rd = &checked{r: rd, left: length, hash: sha256.New(), check: func(sum []byte) error {
			if got := hex.EncodeToString(sum); got != want {
				return s3err.XAmzContentSHA256Mismatch(ph, got)
			}
			return nil
		}}
	}
	if p.checksumKey != "" && p.verify && length >= 0 {
		c := checksums[p.checksumKey]
		h := c.new()
		rd = &checked{r: rd, left: length, hash: h, check: func(sum []byte) error {
			v := p.checksumValue
			if p.fromTrailer {
				v = trailers[p.checksumKey]
				if _, ok := decodeDigest(v, h.Size()); !ok {
					return s3err.InvalidRequest("Value for " + p.checksumKey + " trailing header is invalid.")
				}
			}
			want, _ := decodeDigest(v, h.Size())
			if string(want) != string(sum) {
				return s3err.BadDigest("The " + c.name + " you specified did not match the calculated checksum.")
			}
			return nil
		}}
	}
	return rd, nil
}

// checked hashes what it reads and, when the expected length has been
// read, checks the hash before handing out the last bytes.
type checked struct {
	r     io.Reader
	left  int64
	hash  hash.Hash
	check func(sum []byte) error
	err   error
}

func (c *checked) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	if c.left == 0 {
		// A body of no bytes is checked before anything is read.
		c.err = c.check(c.hash.Sum(nil))
		if c.err == nil {
			c.err = io.EOF
		}
		return 0, c.err
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.hash.Write(p[:n])
	c.left -= int64(n)
	if c.left == 0 {
		if c.err = c.check(c.hash.Sum(nil)); c.err != nil {
			return 0, c.err
		}
		c.err = io.EOF
		return n, nil
	}
	if err == io.EOF {
		// The body ended early: what was sent is not what was signed.
		c.err = io.ErrUnexpectedEOF
		return n, c.err
	}
	return n, err
}

// chunked decodes an aws-chunked body (StreamingInput and ChunkReader in
// s3api), checking each chunk's signature when key is set.
type chunked struct {
	r         *bufio.Reader
	remaining int64 // payload bytes still to come
	total     int64
	chunkLeft int64
	inChunk   bool
	chunkNum  int
	lastSize  int64
	chunkSig  string
	hash      hash.Hash

	key                     []byte
	prevSig, amzDate, scope string

	expect   map[string]bool
	trailers map[string]string
	err      error
}

func incomplete() *s3err.Error {
	return s3err.IncompleteBody("The request body terminated unexpectedly")
}

func (c *chunked) sizeError(provided int64) *s3err.Error {
	return s3err.IncompleteBody("", "NumberBytesExpected", strconv.FormatInt(c.total, 10),
		"NumberBytesProvided", strconv.FormatInt(provided, 10))
}

func (c *chunked) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	for !c.inChunk {
		if c.remaining == 0 && c.chunkNum > 0 {
			// The payload is all here: the final chunk and the
			// trailers were read with its last bytes.
			c.err = io.EOF
			return 0, c.err
		}
		if err := c.header(); err != nil {
			c.err = err
			return 0, err
		}
		if !c.inChunk {
			// The final zero-length chunk: the end, or too early.
			if c.err = c.finish(); c.err == nil {
				c.err = io.EOF
				if c.remaining > 0 {
					c.err = c.sizeError(c.total - c.remaining)
				}
			}
			return 0, c.err
		}
	}
	if int64(len(p)) > c.chunkLeft {
		p = p[:c.chunkLeft]
	}
	n, err := c.r.Read(p)
	c.hash.Write(p[:n])
	c.chunkLeft -= int64(n)
	c.remaining -= int64(n)
	if c.chunkLeft > 0 {
		if n == 0 && err != nil {
			c.err = incomplete()
			return 0, c.err
		}
		return n, nil
	}
	// The chunk is complete: check it before handing out its end.
	if err := c.endChunk(); err != nil {
		c.err = err
		return 0, err
	}
	if c.remaining == 0 {
		// s3api reads the final chunk and the trailers with the last
		// bytes, so a body whose end is wrong is never complete.
		if err := c.header(); err != nil {
			c.err = err
			return 0, err
		}
		if c.inChunk {
			c.err = c.sizeError(c.total + c.chunkLeft)
			return 0, c.err
		}
		if err := c.finish(); err != nil {
			c.err = err
			return 0, err
		}
	}
	return n, nil
}

// header reads a chunk header: "<hex size>[;chunk-signature=<sig>]\r\n".
func (c *chunked) header() error {
	c.chunkNum++
	line, err := c.r.ReadSlice('\n')
	if err != nil || len(line) < 2 || line[len(line)-2] != '\r' {
		return incomplete()
	}
	sizeStr, params, _ := strings.Cut(string(line[:len(line)-2]), ";")
	size, err := strconv.ParseInt(strings.TrimSpace(sizeStr), 16, 64)
	if err != nil || size < 0 {
		return incomplete()
	}
	if c.lastSize >= 0 && c.lastSize < minChunk && size != 0 {
		return s3err.InvalidChunkSize(c.chunkNum, int(c.lastSize))
	}
	c.lastSize = size
	if size > c.remaining {
		return c.sizeError(c.total - c.remaining + size)
	}
	if c.key != nil {
		if params == "" {
			return incomplete()
		}
		name, s, _ := strings.Cut(params, "=")
		if strings.TrimSpace(name) != "chunk-signature" {
			return s3err.SignatureDoesNotMatch()
		}
		if strings.Contains(s, ";") || strings.TrimSpace(s) == "" {
			return incomplete()
		}
		c.chunkSig = strings.TrimSpace(s)
	}
	c.hash.Reset()
	c.chunkLeft = size
	c.inChunk = size > 0
	if size == 0 {
		return c.checkSig()
	}
	return nil
}

func (c *chunked) endChunk() error {
	c.inChunk = false
	if err := c.checkSig(); err != nil {
		return err
	}
	var crlf [2]byte
	if _, err := io.ReadFull(c.r, crlf[:]); err != nil || crlf != [2]byte{'\r', '\n'} {
		return incomplete()
	}
	return nil
}

// checkSig checks the signature of the chunk just read, chained to the
// previous one.
func (c *chunked) checkSig() error {
	if c.key == nil {
		return nil
	}
	sts := "AWS4-HMAC-SHA256-PAYLOAD\n" + c.amzDate + "\n" + c.scope + "\n" + c.prevSig + "\n" +
		emptySHA256 + "\n" + hex.EncodeToString(c.hash.Sum(nil))
	if !equalSig(hex.EncodeToString(hmacSHA256(c.key, sts)), c.chunkSig) {
		return s3err.SignatureDoesNotMatch()
	}
	c.prevSig = c.chunkSig
	return nil
}

// finish reads what follows the final chunk: the trailers, or the
// closing CRLF.
func (c *chunked) finish() error {
	if len(c.expect) == 0 {
		b, _ := c.r.Peek(2)
		if len(b) != 0 && string(b) != "\r\n" {
			return incomplete()
		}
		_, _ = c.r.Discard(len(b))
		return nil
	}
	for {
		line, err := c.r.ReadSlice('\n')
		if len(line) == 0 && err != nil {
			break
		}
		if err != nil || len(line) < 2 || line[len(line)-2] != '\r' {
			return incomplete()
		}
		if len(line) == 2 {
			break
		}
		k, v, _ := strings.Cut(string(line[:len(line)-2]), ":")
		if !c.expect[strings.ToLower(k)] {
			return s3err.MalformedTrailer()
		}
		c.trailers[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	if c.expect["x-amz-trailer-signature"] {
		if _, ok := c.trailers["x-amz-trailer-signature"]; !ok {
			return incomplete()
		}
	}
	if len(c.trailers) != len(c.expect) {
		return s3err.MalformedTrailer()
	}
	for k := range c.trailers {
		if !c.expect[k] {
			return s3err.MalformedTrailer()
		}
	}
	if c.expect["x-amz-trailer-signature"] && c.key != nil {
		if !c.checkTrailerSig() {
			return s3err.SignatureDoesNotMatch()
		}
		if len(c.trailers) == 1 {
			return incomplete()
		}
	}
	return nil
}

func equalSig(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

func (c *chunked) checkTrailerSig() bool {
	var keys []string
	for k := range c.trailers {
		if k != "x-amz-trailer-signature" {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool { return strings.ToLower(keys[i]) < strings.ToLower(keys[j]) })
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k + ":" + c.trailers[k] + "\n")
	}
	if b.Len() == 0 {
		b.WriteString("\n")
	}
	sum := sha256.Sum256([]byte(b.String()))
	sts := "AWS4-HMAC-SHA256-TRAILER\n" + c.amzDate + "\n" + c.scope + "\n" + c.prevSig + "\n" + hex.EncodeToString(sum[:])
	return equalSig(hex.EncodeToString(hmacSHA256(c.key, sts)), c.trailers["x-amz-trailer-signature"])
}
