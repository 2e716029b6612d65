package middleware

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Progress answers a long bulk operation the way Swift's bulk middleware
// does: status 200 at once only if the work takes long, then a space
// every Every while it runs (the XML declaration first, for XML), so
// proxies and clients do not time the connection out, and at the end the
// summary, after "\r\n\r\n" when anything was sent before. Work that ends
// quickly gets a plain response with a Content-Length.
type Progress struct {
	W      http.ResponseWriter
	Format string // the summary's Content-Type; "" for none (406)
	Every  time.Duration

	last   time.Time
	sent   bool
	sep    string
	toSend string
}

// Start records the start of the work.
func (p *Progress) Start() {
	p.last = time.Now()
	p.toSend = " "
	if strings.HasSuffix(p.Format, "/xml") {
		p.toSend = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"
	}
}

// Started records that the caller already sent the status and a first
// keep-alive itself (SLO's heartbeat answers 202 at once).
func (p *Progress) Started() {
	p.sent = true
	p.toSend, p.sep = " ", "\r\n\r\n"
}

// Tick sends a keep-alive when Every has passed since the last one.
func (p *Progress) Tick() {
	if p.Every <= 0 || time.Since(p.last) < p.Every {
		return
	}
	p.last = time.Now()
	p.header(false, 0)
	_, _ = p.W.Write([]byte(p.toSend))
	if f, ok := p.W.(http.Flusher); ok {
		f.Flush()
	}
	p.toSend, p.sep = " ", "\r\n\r\n"
}

// Finish sends the summary.
func (p *Progress) Finish(body []byte) {
	if !p.sent {
		p.header(true, len(body))
		_, _ = p.W.Write(body)
		return
	}
	_, _ = p.W.Write([]byte(p.sep))
	_, _ = p.W.Write(body)
}

func (p *Progress) header(final bool, n int) {
	if p.sent {
		return
	}
	p.sent = true
	h := p.W.Header()
	if p.Format != "" {
		h.Set("Content-Type", p.Format)
	} else {
		h.Set("Content-Type", "text/html; charset=UTF-8")
	}
	if final {
		h.Set("Content-Length", strconv.Itoa(n))
	}
	p.W.WriteHeader(http.StatusOK)
}
