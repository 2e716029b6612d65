package metadef_test

import (
	"context"
	"testing"

	"github.com/gostack/gostack/internal/image"
	"github.com/gostack/gostack/internal/image/metadef"
	"github.com/gostack/gostack/internal/image/store"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db/dbtest"
)

func TestCatalog(t *testing.T) {
	ctx := context.Background()
	st := store.New(dbtest.Open(t))
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	svc := metadef.New(st)
	owner := image.Caller{ProjectID: "p1"}
	other := image.Caller{ProjectID: "p2"}
	admin := image.Caller{ProjectID: "p3", Admin: true}

	ns := &metadef.Namespace{Namespace: "n", Visibility: image.Private, Owner: "p1", Protected: true}
	if err := svc.CreateNamespace(ctx, ns); err != nil {
		t.Fatal(err)
	}
	err := svc.CreateNamespace(ctx, &metadef.Namespace{Namespace: "n", Visibility: image.Public})
	if e, ok := apierr.As(err); !ok || e.Code != 409 || e.Message != "A namespace with name n already exists" {
		t.Fatalf("duplicate namespace: %v", err)
	}
	// A private namespace is its owner's and the admins'.
	for _, c := range []image.Caller{owner, admin} {
		if _, err := svc.Namespace(ctx, c, "n"); err != nil {
			t.Fatalf("%+v: %v", c, err)
		}
	}
	if _, err := svc.Namespace(ctx, other, "n"); !apierr.IsNotFound(err) {
		t.Fatalf("other project: %v", err)
	}
	if l, _ := svc.Namespaces(ctx, other); len(l) != 0 {
		t.Fatalf("other project lists %v", l)
	}

	if err := svc.PutItem(ctx, "n", metadef.KindObject, map[string]any{"name": "o", "self": "x", "description": "d"}, ""); err != nil {
		t.Fatal(err)
	}
	it, err := svc.Item(ctx, "n", metadef.KindObject, "o")
	if err != nil || it.Body["description"] != "d" || it.Body["self"] != nil {
		t.Fatalf("item: %+v %v", it, err)
	}
	for _, tt := range []struct {
		name string
		err  error
		code int
	}{
		{"duplicate item", svc.PutItem(ctx, "n", metadef.KindObject, map[string]any{"name": "o"}, ""), 409},
		{"no name", svc.PutItem(ctx, "n", metadef.KindObject, map[string]any{}, ""), 400},
		{"unknown resource type", svc.PutItem(ctx, "n", metadef.KindResourceType, map[string]any{"name": "OS::Bogus"}, ""), 404},
		{"missing namespace", svc.PutItem(ctx, "zz", metadef.KindTag, map[string]any{"name": "t"}, ""), 404},
		{"rename missing item", svc.PutItem(ctx, "n", metadef.KindObject, map[string]any{"name": "p"}, "zz"), 404},
		{"delete missing item", svc.DeleteItem(ctx, "n", metadef.KindObject, "zz"), 404},
		{"protected", svc.DeleteNamespace(ctx, ns), 403},
	} {
		if got := apierr.Status(tt.err); got != tt.code {
			t.Errorf("%s: %v, want %d", tt.name, tt.err, tt.code)
		}
	}
	ns.Protected = false
	if err := svc.UpdateNamespace(ctx, "n", ns); err != nil {
		t.Fatal(err)
	}
	if err := svc.DeleteNamespace(ctx, ns); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Item(ctx, "n", metadef.KindObject, "o"); !apierr.IsNotFound(err) {
		t.Fatalf("item of a deleted namespace: %v", err)
	}
}
