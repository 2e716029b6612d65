package client_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gostack/gostack/internal/image"
	imgapi "github.com/gostack/gostack/internal/image/api"
	"github.com/gostack/gostack/internal/image/client"
	"github.com/gostack/gostack/internal/image/imports"
	"github.com/gostack/gostack/internal/image/metadef"
	"github.com/gostack/gostack/internal/image/store"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/auth"
	"github.com/gostack/gostack/internal/platform/db/dbtest"
	"github.com/gostack/gostack/internal/platform/policy"
)

// TestErrorsFromTheImageAPI: the client turns the image API's own error
// answers into *apierr.Error with their status and Glance's message.
func TestErrorsFromTheImageAPI(t *testing.T) {
	ctx := context.Background()
	st := store.New(dbtest.Open(t))
	svc, err := image.New(ctx, image.Config{DataDir: t.TempDir()}, st)
	if err != nil {
		t.Fatal(err)
	}
	imp, err := imports.New(svc, st, imports.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(imp.Close)
	pol, err := policy.New(imgapi.PolicyDefaults())
	if err != nil {
		t.Fatal(err)
	}
	v := auth.Static{"tok": {UserID: "u", ProjectID: "p", Roles: []string{"member", "reader"}}}
	srv := httptest.NewServer(imgapi.New(svc, imp, metadef.New(st), pol, v, slog.New(slog.DiscardHandler)).Handler())
	t.Cleanup(srv.Close)
	c := client.New(srv.URL, srv.Client())

	img, err := c.Create(ctx, "tok", map[string]any{"name": "x"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		err  error
		code int
		msg  string
	}{
		{"missing image", second(c.Get(ctx, "tok", "nope")), 404, "No image found with ID nope"},
		{"bad token", second(c.Get(ctx, "bad", img.ID)), 401, "The request you have made requires authentication."},
		{"read-only attribute", second(c.Update(ctx, "tok", img.ID, []client.PatchOp{{Op: "add", Path: "/status", Value: "active"}})), 403, "Attribute 'status' is read-only."},
		{"bad value", second(c.Create(ctx, "tok", map[string]any{"disk_format": "bogus"})), 400, "Invalid value 'bogus' for disk_format"},
		{"delete twice", deleteTwice(ctx, c, img.ID), 404, "No image found with ID " + img.ID},
	} {
		e, ok := apierr.As(tt.err)
		if !ok || e.Code != tt.code || !strings.HasPrefix(e.Message, tt.msg) {
			t.Errorf("%s: got %#v, want %d %q", tt.name, tt.err, tt.code, tt.msg)
		}
	}
}

// TestPlainTextErrors: an answer in WebOb's text form (what Glance sends
// without Accept: application/json) gives the same message.
func TestPlainTextErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
		w.WriteHeader(http.StatusConflict)
		w.Write([]byte("409 Conflict\n\nImage status active does not allow an upload.\n\n   "))
	}))
	defer srv.Close()
	err := client.New(srv.URL, nil).Upload(context.Background(), "tok", "i1", strings.NewReader("x"), 1)
	if e, ok := apierr.As(err); !ok || e.Code != 409 || e.Message != "Image status active does not allow an upload." {
		t.Fatalf("got %#v", err)
	}
}

func second[T any](_ T, err error) error { return err }

func deleteTwice(ctx context.Context, c *client.Client, id string) error {
	if err := c.Delete(ctx, "tok", id); err != nil {
		return err
	}
	return c.Delete(ctx, "tok", id)
}
