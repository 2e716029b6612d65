package service

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestInProcessServesOwnListeners(t *testing.T) {
	env := NewEnv("")
	big := make([]byte, 8<<20)
	rand.Read(big)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /big", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "8388608")
		w.Write(big)
	})
	mux.HandleFunc("PUT /echo", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Len", http.StatusText(200))
		w.WriteHeader(http.StatusCreated)
		w.Write(b)
	})
	mux.HandleFunc("PUT /framing", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-TE", strings.Join(r.TransferEncoding, ","))
		w.Header().Set("X-CL", r.Header.Get("Content-Length"))
	})
	mux.HandleFunc("DELETE /x", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.HandleFunc("GET /panic", func(w http.ResponseWriter, r *http.Request) { panic("boom") })
	mux.HandleFunc("GET /slow", func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
	env.Serve("svc.invalid:1", mux)
	c := env.HTTPClient()

	resp, err := c.Get("http://svc.invalid:1/big")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.ContentLength != int64(len(big)) || !bytes.Equal(got, big) {
		t.Fatalf("big: status %d, length %d, %d bytes", resp.StatusCode, resp.ContentLength, len(got))
	}

	req, _ := http.NewRequest("PUT", "http://svc.invalid:1/echo", strings.NewReader("hello"))
	resp, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 201 || string(got) != "hello" || resp.Header.Get("X-Len") != "OK" {
		t.Fatalf("echo: %d %q %v", resp.StatusCode, got, resp.Header)
	}

	// The handler sees what it would see over the wire: a body of unknown
	// length chunked, a known one (or an empty PUT) in Content-Length.
	for _, tc := range []struct {
		body       io.Reader
		length     int64
		te, header string
	}{
		{io.MultiReader(strings.NewReader("ab")), -1, "chunked", ""},
		{strings.NewReader("hello"), 5, "", "5"},
		{nil, 0, "", "0"},
	} {
		req, _ = http.NewRequest("PUT", "http://svc.invalid:1/framing", tc.body)
		req.ContentLength = tc.length
		resp, err = c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if te, h := resp.Header.Get("X-TE"), resp.Header.Get("X-CL"); te != tc.te || h != tc.header {
			t.Errorf("PUT with length %d: handler saw Transfer-Encoding %q, Content-Length %q; want %q, %q", tc.length, te, h, tc.te, tc.header)
		}
	}

	req, _ = http.NewRequest("DELETE", "http://svc.invalid:1/x", nil)
	if resp, err = c.Do(req); err != nil || resp.StatusCode != 204 {
		t.Fatalf("delete: %v %v", resp, err)
	}
	resp, err = c.Get("http://svc.invalid:1/nothing")
	if err != nil || resp.StatusCode != 404 {
		t.Fatalf("404: %v %v", resp, err)
	}
	resp.Body.Close()
	if resp, err = c.Get("http://svc.invalid:1/panic"); err != nil || resp.StatusCode != 500 {
		t.Fatalf("panic: %v %v", resp, err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ = http.NewRequestWithContext(ctx, "GET", "http://svc.invalid:1/slow", nil)
	if _, err := c.Do(req); err == nil {
		t.Fatal("a cancelled request succeeded")
	}
}

func TestInProcessFallsBackToTheNetwork(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "net") }))
	defer srv.Close()
	resp, err := NewEnv("").HTTPClient().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "net" {
		t.Fatalf("got %q", b)
	}
}
