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
