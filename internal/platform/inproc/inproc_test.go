package inproc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"
)

func get(t *testing.T, method string, h http.HandlerFunc, o Options) (*http.Response, string, error) {
	t.Helper()
	req, _ := http.NewRequest(method, "/x", nil)
	resp, err := Serve(h, req, o)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b), err
}

func TestServeAnswers(t *testing.T) {
	for _, tt := range []struct {
		name   string
		method string
		h      http.HandlerFunc
		status int
		body   string
		length int64
	}{
		{"implicit 200", "GET", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hi") }, 200, "hi", -1},
		{"nothing written", "GET", func(w http.ResponseWriter, r *http.Request) {}, 200, "", -1},
		{"length", "GET", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "2")
			io.WriteString(w, "ab")
		}, 200, "ab", 2},
		{"continue then 201", "PUT", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(100)
			w.WriteHeader(201)
		}, 201, "", -1},
		{"head drops body", "HEAD", func(w http.ResponseWriter, r *http.Request) {
			if _, err := io.WriteString(w, "x"); !errors.Is(err, http.ErrBodyNotAllowed) {
				panic(err)
			}
		}, 200, "", -1},
		{"204 drops body", "DELETE", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(204)
			if _, err := io.WriteString(w, "x"); !errors.Is(err, http.ErrBodyNotAllowed) {
				panic(err)
			}
		}, 204, "", -1},
		{"flush", "GET", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "a")
			w.(http.Flusher).Flush()
			io.WriteString(w, "b")
		}, 200, "ab", -1},
		{"header as sent", "GET", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-A", "1")
			w.WriteHeader(202)
			w.Header().Set("X-A", "2")
		}, 202, "", -1},
	} {
		resp, body, err := get(t, tt.method, tt.h, Options{})
		if err != nil || resp.StatusCode != tt.status || body != tt.body || resp.ContentLength != tt.length ||
			resp.Status != fmt.Sprint(tt.status, " ", http.StatusText(tt.status)) {
			t.Errorf("%s: got %s %q length %d %v", tt.name, resp.Status, body, resp.ContentLength, err)
		}
		if tt.name == "header as sent" && resp.Header.Get("X-A") != "1" {
			t.Errorf("header changed after it was sent: %v", resp.Header)
		}
	}
	resp, _, _ := get(t, "GET", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(499) },
		Options{Reason: func(int) string { return "Client Disconnect" }})
	if resp.Status != "499 Client Disconnect" {
		t.Errorf("reason: %q", resp.Status)
	}
}

func TestServePanic(t *testing.T) {
	boom := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Half", "done")
		panic("boom")
	}
	resp, body, err := get(t, "GET", boom, Options{})
	if err != nil || resp.StatusCode != 500 || body != "" || resp.Header.Get("X-Half") != "" {
		t.Errorf("bare: %d %q %v %v", resp.StatusCode, body, resp.Header, err)
	}
	fail := func(w http.ResponseWriter) {
		w.WriteHeader(503)
		io.WriteString(w, "sorry")
	}
	if resp, body, err = get(t, "GET", boom, Options{Fail: fail}); err != nil || resp.StatusCode != 503 || body != "sorry" {
		t.Errorf("Fail: %d %q %v", resp.StatusCode, body, err)
	}

	// After the header a panic cuts the body short, as a lost connection.
	late := func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "partial")
		panic("late")
	}
	resp, body, err = get(t, "GET", late, Options{})
	if resp.StatusCode != 200 || body != "partial" || !errors.Is(err, ErrHandlerPanic) || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("late: %d %q %v", resp.StatusCode, body, err)
	}
}

func TestServeContext(t *testing.T) {
	// Closing the body before its end stops the handler.
	done := make(chan error, 1)
	req, _ := http.NewRequest("GET", "/x", nil)
	resp, err := Serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for {
			if _, err := w.Write([]byte("data")); err != nil {
				done <- r.Context().Err()
				return
			}
		}
	}), req, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(resp.Body, make([]byte, 4)); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("handler context after Close: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("handler kept writing after Close")
	}

	// A handler's context ends when it returns, as a server's does.
	ctxs := make(chan context.Context, 1)
	resp, _, _ = get(t, "GET", func(w http.ResponseWriter, r *http.Request) { ctxs <- r.Context() }, Options{})
	if err := (<-ctxs).Err(); !errors.Is(err, context.Canceled) {
		t.Errorf("handler context after return: %v", err)
	}

	// Abandon gives up on a handler that does not answer; without it
	// Serve waits for the answer of a handler whose context has ended.
	ctx, cancel := context.WithCancel(context.Background())
	release := make(chan struct{})
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
		w.WriteHeader(202)
	})
	req, _ = http.NewRequestWithContext(ctx, "GET", "/x", nil)
	cancel()
	if resp, err := Serve(slow, req, Options{Abandon: ctx}); !errors.Is(err, context.Canceled) || resp != nil {
		t.Errorf("abandoned: %v %v", resp, err)
	}
	close(release)
	if resp, err := Serve(slow, req, Options{}); err != nil || resp.StatusCode != 202 {
		t.Errorf("waited: %v %v", resp, err)
	}
}
