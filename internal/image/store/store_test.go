package store_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/image"
	"github.com/gostack/gostack/internal/image/metadef"
	"github.com/gostack/gostack/internal/image/store"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
	"github.com/gostack/gostack/internal/platform/db/dbtest"
)

func newStore(t *testing.T) *store.Store {
	t.Helper()
	s := store.New(dbtest.Open(t))
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

func mk(id, owner, vis string, at time.Time) *image.Image {
	return &image.Image{ID: id, Status: image.StatusQueued, Visibility: vis, Owner: owner,
		Tags: []string{"t-" + id}, Properties: map[string]string{"k": id}, CreatedAt: at, UpdatedAt: at}
}

func ids(imgs []*image.Image) []string {
	out := []string{}
	for _, i := range imgs {
		out = append(out, i.ID)
	}
	return out
}

func TestImagesAndVisibility(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	t0 := db.Now()
	for i, img := range []*image.Image{
		mk("a", "p1", image.Private, t0), mk("b", "p1", image.Shared, t0.Add(time.Second)),
		mk("c", "p2", image.Public, t0.Add(2*time.Second)), mk("d", "p2", image.Community, t0.Add(3*time.Second)),
		mk("e", "p2", image.Shared, t0.Add(4*time.Second)),
	} {
		if err := s.CreateImage(ctx, img, -1); err != nil {
			t.Fatal(i, err)
		}
	}
	if err := s.CreateImage(ctx, mk("f", "p1", image.Private, t0), 2); err == nil {
		t.Fatal("quota: want error")
	} else if e, ok := apierr.As(err); !ok || e.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("quota: %v", err)
	}
	if err := s.AddMember(ctx, &image.Member{ImageID: "e", MemberID: "p1", Status: image.MemberPending, CreatedAt: t0, UpdatedAt: t0}, -1); err != nil {
		t.Fatal(err)
	}
	p1 := image.Caller{ProjectID: "p1"}
	cases := []struct {
		f    image.ImageFilter
		want []string
	}{
		{image.ImageFilter{Caller: p1}, []string{"c", "b", "a"}},
		{image.ImageFilter{Caller: p1, Visibility: "all"}, []string{"d", "c", "b", "a"}},
		{image.ImageFilter{Caller: p1, Visibility: "shared", MemberStatus: "pending"}, []string{"e"}},
		{image.ImageFilter{Caller: p1, Tags: []string{"t-a"}}, []string{"a"}},
		{image.ImageFilter{Caller: p1, Properties: map[string][]string{"k": {"b", "c"}}}, []string{"c", "b"}},
		{image.ImageFilter{Caller: image.Caller{Admin: true}}, []string{"e", "c", "b", "a"}},
		{image.ImageFilter{Caller: p1, Sort: []image.SortKey{{Key: "id"}}, Limit: 2, Marker: "a"}, []string{"b", "c"}},
	}
	for i, c := range cases {
		got, err := s.ListImages(ctx, c.f)
		if err != nil {
			t.Fatal(i, err)
		}
		if g := ids(got); len(g) != len(c.want) || func() bool {
			for j := range g {
				if g[j] != c.want[j] {
					return true
				}
			}
			return false
		}() {
			t.Errorf("case %d: got %v, want %v", i, g, c.want)
		}
	}
	got, err := s.GetImage(ctx, "a")
	if err != nil || got.Tags[0] != "t-a" || got.Properties["k"] != "a" {
		t.Fatalf("get: %+v %v", got, err)
	}
	if _, err := s.GetImage(ctx, "zz"); !errors.Is(err, apierr.ErrNotFound) {
		t.Fatalf("missing: %v", err)
	}
}

func TestUpdateCompareAndSwap(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	if err := s.CreateImage(ctx, mk("a", "p", image.Private, db.Now()), -1); err != nil {
		t.Fatal(err)
	}
	// Concurrent updates each see the previous one: no lost update.
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.UpdateImage(ctx, "a", func(img *image.Image) error { img.MinRAM++; return nil }); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	got, _ := s.GetImage(ctx, "a")
	if got.MinRAM != 8 {
		t.Fatalf("min_ram = %d, want 8", got.MinRAM)
	}
	boom := errors.New("boom")
	if _, err := s.UpdateImage(ctx, "a", func(img *image.Image) error { img.MinRAM = 0; return boom }); err != boom {
		t.Fatalf("fn error: %v", err)
	}
	if _, err := s.DeleteImage(ctx, "a", func(*image.Image) error { return boom }); err != boom {
		t.Fatalf("delete check: %v", err)
	}
	if _, err := s.DeleteImage(ctx, "a", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetImage(ctx, "a"); !errors.Is(err, apierr.ErrNotFound) {
		t.Fatalf("after delete: %v", err)
	}
}

func TestMetadefs(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	now := db.Now()
	ns := &metadef.Namespace{Namespace: "n", Visibility: "public", CreatedAt: now, UpdatedAt: now}
	if err := s.CreateNamespace(ctx, ns); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateNamespace(ctx, ns); !errors.Is(err, apierr.ErrDuplicate) {
		t.Fatalf("duplicate namespace: %v", err)
	}
	it := &metadef.Item{Namespace: "n", Kind: metadef.KindObject, Name: "o", Body: map[string]any{"description": "d"}, CreatedAt: now, UpdatedAt: now}
	if err := s.CreateMetadefItem(ctx, it); err != nil {
		t.Fatal(err)
	}
	it.Name = "o2"
	if err := s.UpdateMetadefItem(ctx, "o", it); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetMetadefItem(ctx, "n", metadef.KindObject, "o2")
	if err != nil || got.Body["description"] != "d" {
		t.Fatalf("item: %+v %v", got, err)
	}
	if err := s.DeleteNamespace(ctx, "n"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetMetadefItem(ctx, "n", metadef.KindObject, "o2"); !errors.Is(err, apierr.ErrNotFound) {
		t.Fatalf("item after namespace delete: %v", err)
	}
}
