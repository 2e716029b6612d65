package filestore

import (
	"io"
	"sync"
	"sync/atomic"
)

// Copy copies src to every writer, each in its own goroutine, with a few
// buffers in flight: reading the request body, writing the file (or the
// object store's request) and the two hashes (MD5 and SHA-512 for
// Glance's checksum and multihash) then run on all cores at once instead
// of one after another. It returns the bytes read and the first error of
// any side.
func Copy(src io.Reader, dsts ...io.Writer) (int64, error) {
	const (
		bufSize  = 1 << 20
		inFlight = 4
	)
	type chunk struct {
		b    []byte
		refs atomic.Int32
	}
	free := make(chan *chunk, inFlight)
	for i := 0; i < inFlight; i++ {
		free <- &chunk{b: make([]byte, bufSize)}
	}
	var (
		errOnce  sync.Once
		firstErr error
		failed   = make(chan struct{})
	)
	fail := func(err error) {
		errOnce.Do(func() { firstErr = err; close(failed) })
	}
	chans := make([]chan *chunk, len(dsts))
	var wg sync.WaitGroup
	for i, d := range dsts {
		chans[i] = make(chan *chunk, inFlight)
		wg.Add(1)
		go func(d io.Writer, in <-chan *chunk) {
			defer wg.Done()
			broken := false
			for c := range in {
				if !broken {
					if _, err := d.Write(c.b); err != nil {
						fail(err)
						broken = true
					}
				}
				if c.refs.Add(-1) == 0 {
					c.b = c.b[:cap(c.b)]
					free <- c
				}
			}
		}(d, chans[i])
	}
	var n int64
	var readErr error
	for readErr == nil {
		var c *chunk
		select {
		case c = <-free:
		case <-failed:
		}
		if c == nil {
			break
		}
		m, err := io.ReadFull(src, c.b)
		if m > 0 {
			n += int64(m)
			c.b = c.b[:m]
			c.refs.Store(int32(len(chans)))
			for _, ch := range chans {
				ch <- c
			}
		} else {
			free <- c
		}
		switch err {
		case nil:
		case io.EOF, io.ErrUnexpectedEOF:
			readErr = io.EOF
		default:
			readErr = err
		}
	}
	for _, ch := range chans {
		close(ch)
	}
	wg.Wait()
	if firstErr != nil {
		return n, firstErr
	}
	if readErr != nil && readErr != io.EOF {
		return n, readErr
	}
	return n, nil
}
