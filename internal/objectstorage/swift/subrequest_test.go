package swift

import (
	"context"
	"errors"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/platform/auth"
	"github.com/gostack/gostack/internal/platform/inproc"
)

func TestSubrequestStreamsWithoutBuffering(t *testing.T) {
	const total = 100 << 20
	chunk := make([]byte, 64<<10)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "104857600")
		w.Header().Set("Etag", "x")
		w.WriteHeader(http.StatusOK)
		for sent := 0; sent < total; sent += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	resp := Subrequest(context.Background(), h, NewSubrequest(context.Background(), "GET", "/v1/a/c/o", nil))
	if resp.StatusCode != 200 || resp.ContentLength != total || resp.Header.Get("Etag") != "x" {
		t.Fatalf("got %d len %d header %v", resp.StatusCode, resp.ContentLength, resp.Header)
	}
	n, err := io.CopyBuffer(io.Discard, resp.Body, make([]byte, 32<<10))
	resp.Body.Close()
	runtime.ReadMemStats(&after)
	if err != nil || n != total {
		t.Fatalf("read %d, %v", n, err)
	}
	if grown := after.TotalAlloc - before.TotalAlloc; grown > 8<<20 {
		t.Errorf("allocated %d bytes to stream %d", grown, total)
	}
}

func TestSubrequestPanic(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { panic("boom") })
	resp := Subrequest(context.Background(), h, NewSubrequest(context.Background(), "GET", "/x", nil))
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 500 || string(body) != DefaultBody(500) {
		t.Errorf("got %d %q", resp.StatusCode, body)
	}

	// After the header a panic ends the body with an error, not a crash.
	h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("partial"))
		panic("late")
	})
	resp = Subrequest(context.Background(), h, NewSubrequest(context.Background(), "GET", "/x", nil))
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "partial" || !errors.Is(err, inproc.ErrHandlerPanic) {
		t.Errorf("got %d %q %v", resp.StatusCode, body, err)
	}
}

func TestSubrequestCloseStopsHandler(t *testing.T) {
	done := make(chan error, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for {
			if _, err := w.Write([]byte("data")); err != nil {
				done <- r.Context().Err()
				return
			}
		}
	})
	resp := Subrequest(context.Background(), h, NewSubrequest(context.Background(), "GET", "/x", nil))
	buf := make([]byte, 4)
	if _, err := io.ReadFull(resp.Body, buf); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("handler context: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("handler kept writing after Close")
	}
}

func TestSubrequestStatuses(t *testing.T) {
	tests := []struct {
		name   string
		method string
		h      http.HandlerFunc
		status int
		body   string
	}{
		{"implicit 200", "GET", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hi") }, 200, "hi"},
		{"nothing written", "GET", func(w http.ResponseWriter, r *http.Request) {}, 200, ""},
		{"continue then 201", "PUT", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(100)
			w.WriteHeader(201)
		}, 201, ""},
		{"head drops body", "HEAD", func(w http.ResponseWriter, r *http.Request) {
			if _, err := io.WriteString(w, "x"); !errors.Is(err, http.ErrBodyNotAllowed) {
				panic(err)
			}
		}, 200, ""},
		{"error body", "GET", func(w http.ResponseWriter, r *http.Request) { WriteError(w, r, 404, "") }, 404, DefaultBody(404)},
		{"flush", "GET", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "a")
			w.(http.Flusher).Flush()
			io.WriteString(w, "b")
		}, 200, "ab"},
	}
	for _, tt := range tests {
		resp := Subrequest(context.Background(), tt.h, NewSubrequest(context.Background(), tt.method, "/x", nil))
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != tt.status || string(body) != tt.body {
			t.Errorf("%s: got %d %q %v", tt.name, resp.StatusCode, body, err)
		}
	}
}

func TestNewSubrequestKeepsContext(t *testing.T) {
	creds := &auth.Credentials{ProjectID: "p1"}
	ctx := WithAuthorized(WithCaller(WithTransID(context.Background(), "tx1"), creds))
	var seen *http.Request
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = r
		io.Copy(io.Discard, r.Body)
	})
	req := NewSubrequest(ctx, "PUT", "/v1/AUTH_p1/c/a%20b?multipart-manifest=put", strings.NewReader("data"))
	resp := Subrequest(ctx, h, req)
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	c, ok := CallerFrom(seen.Context())
	if !ok || c.ProjectID != "p1" || !Authorized(seen.Context()) || TransID(seen) != "tx1" {
		t.Errorf("context lost: caller %v %v authorized %v trans %q", c, ok, Authorized(seen.Context()), TransID(seen))
	}
	if seen.URL.Path != "/v1/AUTH_p1/c/a b" || seen.URL.Query().Get("multipart-manifest") != "put" ||
		seen.Header.Get("Content-Length") != "4" {
		t.Errorf("request: path %q query %q length %q", seen.URL.Path, seen.URL.RawQuery, seen.Header.Get("Content-Length"))
	}
	if _, ok := CallerFrom(context.Background()); ok || Authorized(context.Background()) {
		t.Error("empty context has a caller")
	}
	chunked := NewSubrequest(ctx, "PUT", "/x", io.MultiReader(strings.NewReader("a")))
	if chunked.ContentLength != -1 || len(chunked.TransferEncoding) != 1 || chunked.Header.Get("Content-Length") != "" {
		t.Errorf("unknown-length body: %d %v", chunked.ContentLength, chunked.TransferEncoding)
	}
	bad := NewSubrequest(ctx, "GET", "/v1/a/c/100%", nil)
	if bad.URL.Path != "/v1/a/c/100%" {
		t.Errorf("raw path: %q", bad.URL.Path)
	}
}
