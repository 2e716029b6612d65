package quota

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gostack/gostack/internal/platform/db"
	"github.com/gostack/gostack/internal/platform/db/dbtest"
)

var computeDefaults = map[string]int64{"instances": 10, "cores": 20, "ram": 51200, "key_pairs": 100}

func setup(t *testing.T, src LimitSource) (*db.DB, *Quotas) {
	t.Helper()
	d := dbtest.Open(t)
	ctx := context.Background()
	if err := Migrate(ctx, d); err != nil {
		t.Fatal(err)
	}
	if err := Migrate(ctx, d); err != nil { // idempotent
		t.Fatalf("second Migrate: %v", err)
	}
	q, err := New(Config{Service: "compute", Defaults: computeDefaults, Source: src})
	if err != nil {
		t.Fatal(err)
	}
	return d, q
}

func TestNewValidates(t *testing.T) {
	if _, err := New(Config{Defaults: computeDefaults}); err == nil {
		t.Error("New without service succeeded")
	}
	if _, err := New(Config{Service: "x", Defaults: map[string]int64{"a": -2}}); err == nil {
		t.Error("New with default -2 succeeded")
	}
	q, _ := New(Config{Service: "compute", Defaults: computeDefaults})
	if diff := cmp.Diff([]string{"cores", "instances", "key_pairs", "ram"}, q.Resources()); diff != "" {
		t.Errorf("Resources (-want +got):\n%s", diff)
	}
}

func TestLimitResolution(t *testing.T) {
	d, q := setup(t, nil)
	ctx := context.Background()
	w := d.Writer()
	// Another service's rows must not leak into compute's answers.
	other, _ := New(Config{Service: "network", Defaults: map[string]int64{"instances": 1}})
	if err := other.SetLimit(ctx, w, "p1", "instances", 1); err != nil {
		t.Fatal(err)
	}
	if err := q.SetDefault(ctx, w, "cores", 40); err != nil {
		t.Fatal(err)
	}
	if err := q.SetDefault(ctx, w, "cores", 50); err != nil { // upsert
		t.Fatal(err)
	}
	if err := q.SetLimit(ctx, w, "p1", "instances", 3); err != nil {
		t.Fatal(err)
	}
	if err := q.SetLimit(ctx, w, "p1", "ram", Unlimited); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		project, resource string
		want              int64
	}{
		{"p1", "instances", 3},
		{"p1", "ram", -1},
		{"p1", "cores", 50},      // cloud default
		{"p1", "key_pairs", 100}, // built-in default
		{"p2", "instances", 10},
		{"p2", "cores", 50},
	}
	for _, tt := range tests {
		got, err := q.Limit(ctx, d.Reader(), tt.project, tt.resource)
		if err != nil || got != tt.want {
			t.Errorf("Limit(%s, %s) = %d, %v; want %d", tt.project, tt.resource, got, err, tt.want)
		}
	}
	all, err := q.Limits(ctx, d.Reader(), "p1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]int64{"instances": 3, "cores": 50, "ram": -1, "key_pairs": 100}, all); diff != "" {
		t.Errorf("Limits (-want +got):\n%s", diff)
	}
	if err := q.DeleteLimits(ctx, w, "p1"); err != nil {
		t.Fatal(err)
	}
	if got, _ := q.Limit(ctx, d.Reader(), "p1", "instances"); got != 10 {
		t.Errorf("after DeleteLimits instances = %d, want 10", got)
	}
	if got, _ := other.Limit(ctx, d.Reader(), "p1", "instances"); got != 1 {
		t.Errorf("DeleteLimits of compute touched network: %d", got)
	}
}

func TestSetErrors(t *testing.T) {
	d, q := setup(t, nil)
	ctx := context.Background()
	w := d.Writer()
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"unknown resource", q.SetLimit(ctx, w, "p", "gpus", 1), ErrUnknownResource},
		{"below -1", q.SetLimit(ctx, w, "p", "cores", -2), ErrInvalidLimit},
		{"default below -1", q.SetDefault(ctx, w, "cores", -5), ErrInvalidLimit},
		{"unknown default", q.SetDefault(ctx, w, "gpus", 1), ErrUnknownResource},
		{"limit of unknown", func() error { _, err := q.Limit(ctx, w, "p", "gpus"); return err }(), ErrUnknownResource},
		{"check unknown", q.Check(ctx, w, "p", "gpus", 1, 0), ErrUnknownResource},
		{"consume unknown", q.Consume(ctx, w, "p", "gpus", 1), ErrUnknownResource},
		{"usage unknown", q.SetUsage(ctx, w, "p", "gpus", 1), ErrUnknownResource},
	}
	for _, tt := range tests {
		if !errors.Is(tt.err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, tt.err, tt.want)
		}
	}
	if err := q.SetUsage(ctx, w, "p", "cores", -1); err == nil {
		t.Error("negative usage accepted")
	}
}

func TestCheck(t *testing.T) {
	d, q := setup(t, nil)
	ctx := context.Background()
	if err := q.SetLimit(ctx, d.Writer(), "p", "ram", Unlimited); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		reqs []Request
		want []Over // nil: fits
	}{
		{"fits", []Request{{"instances", 1, 5}}, nil},
		{"exact fit", []Request{{"instances", 2, 8}}, nil},
		{"over by one", []Request{{"instances", 3, 8}}, []Over{{"instances", 10, 8, 3}}},
		{"unlimited", []Request{{"ram", 1 << 40, 1 << 40}}, nil},
		{"shrink while over", []Request{{"instances", -1, 50}}, nil},
		{"zero while over", []Request{{"cores", 0, 50}}, nil},
		{"several over", []Request{{"instances", 1, 10}, {"cores", 4, 4}, {"key_pairs", 5, 100}},
			[]Over{{"instances", 10, 10, 1}, {"key_pairs", 100, 100, 5}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := q.CheckMany(ctx, d.Reader(), "p", tt.reqs...)
			var oe *OverLimitError
			if tt.want == nil {
				if err != nil {
					t.Fatalf("CheckMany = %v, want nil", err)
				}
				return
			}
			if !errors.As(err, &oe) {
				t.Fatalf("CheckMany = %v, want *OverLimitError", err)
			}
			if diff := cmp.Diff(tt.want, oe.Overs); diff != "" {
				t.Errorf("overs (-want +got):\n%s", diff)
			}
			if oe.Service != "compute" || oe.ProjectID != "p" {
				t.Errorf("error names %s/%s", oe.Service, oe.ProjectID)
			}
		})
	}
	err := q.Check(ctx, d.Reader(), "p", "cores", 4, 20)
	want := "Quota exceeded for cores: Requested 4, but already used 20 of 20 cores"
	if err == nil || err.Error() != want {
		t.Errorf("Check error = %v, want %q", err, want)
	}
}

func TestConsume(t *testing.T) {
	d, q := setup(t, nil)
	ctx := context.Background()
	usage := func() map[string]int64 {
		t.Helper()
		u, err := q.Usage(ctx, d.Reader(), "p")
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	tx := func(fn func(ctx context.Context, tx *sql.Tx) error) error { return d.Tx(ctx, fn) }

	if err := tx(func(ctx context.Context, tx *sql.Tx) error { return q.Consume(ctx, tx, "p", "instances", 7) }); err != nil {
		t.Fatal(err)
	}
	err := tx(func(ctx context.Context, tx *sql.Tx) error { return q.Consume(ctx, tx, "p", "instances", 4) })
	var oe *OverLimitError
	if !errors.As(err, &oe) || cmp.Diff([]Over{{"instances", 10, 7, 4}}, oe.Overs) != "" {
		t.Fatalf("over-limit Consume = %v", err)
	}
	// All or nothing: cores fits but instances does not, so neither moves.
	err = tx(func(ctx context.Context, tx *sql.Tx) error {
		return q.ConsumeMany(ctx, tx, "p", map[string]int64{"instances": 5, "cores": 2})
	})
	if !errors.As(err, &oe) || cmp.Diff([]string{"instances"}, oe.Resources()) != "" {
		t.Fatalf("ConsumeMany = %v", err)
	}
	if diff := cmp.Diff(map[string]int64{"instances": 7, "cores": 0, "ram": 0, "key_pairs": 0}, usage()); diff != "" {
		t.Errorf("usage after refused ConsumeMany (-want +got):\n%s", diff)
	}
	// A transaction rolled back for another reason takes its usage along.
	boom := errors.New("driver failed")
	if err := tx(func(ctx context.Context, tx *sql.Tx) error {
		if err := q.Consume(ctx, tx, "p", "instances", 3); err != nil {
			return err
		}
		return boom
	}); !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if got := usage()["instances"]; got != 7 {
		t.Errorf("instances after rollback = %d, want 7", got)
	}
	// Releases clamp at zero and always succeed, even over a lowered limit.
	if err := q.SetLimit(ctx, d.Writer(), "p", "instances", 2); err != nil {
		t.Fatal(err)
	}
	if err := tx(func(ctx context.Context, tx *sql.Tx) error { return q.Consume(ctx, tx, "p", "instances", -1) }); err != nil {
		t.Fatalf("release over lowered limit: %v", err)
	}
	if err := tx(func(ctx context.Context, tx *sql.Tx) error { return q.Consume(ctx, tx, "p", "cores", -5) }); err != nil {
		t.Fatal(err)
	}
	if err := q.SetUsage(ctx, d.Writer(), "p", "ram", 2048); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]int64{"instances": 6, "cores": 0, "ram": 2048, "key_pairs": 0}, usage()); diff != "" {
		t.Errorf("usage (-want +got):\n%s", diff)
	}
	// Unlimited never refuses.
	if err := q.SetLimit(ctx, d.Writer(), "p", "key_pairs", Unlimited); err != nil {
		t.Fatal(err)
	}
	if err := tx(func(ctx context.Context, tx *sql.Tx) error { return q.Consume(ctx, tx, "p", "key_pairs", 1e9) }); err != nil {
		t.Errorf("unlimited Consume: %v", err)
	}
}

func TestConsumeConcurrentNeverPassesLimit(t *testing.T) {
	d, q := setup(t, nil)
	ctx := context.Background()
	const workers, limit = 16, 10
	if err := q.SetLimit(ctx, d.Writer(), "p", "instances", limit); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, over := 0, 0
	for range workers {
		wg.Go(func() {
			err := d.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error { return q.Consume(ctx, tx, "p", "instances", 1) })
			var oe *OverLimitError
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errors.As(err, &oe):
				over++
			default:
				t.Errorf("Consume: %v", err)
			}
		})
	}
	wg.Wait()
	if ok != limit || over != workers-limit {
		t.Errorf("succeeded %d, refused %d; want %d and %d", ok, over, limit, workers-limit)
	}
	u, err := q.Usage(ctx, d.Reader(), "p")
	if err != nil || u["instances"] != limit {
		t.Errorf("usage = %d, %v; want %d", u["instances"], err, limit)
	}
}

type fakeSource struct {
	limits map[string]int64 // service/project/resource
	err    error
}

func (f *fakeSource) Limit(ctx context.Context, service, projectID, resource string) (int64, bool, error) {
	if f.err != nil {
		return 0, false, f.err
	}
	l, ok := f.limits[service+"/"+projectID+"/"+resource]
	return l, ok, nil
}

func TestLimitSourceIsAuthoritative(t *testing.T) {
	src := &fakeSource{limits: map[string]int64{"compute/p/instances": 2, "compute/p/cores": -1}}
	d, q := setup(t, src)
	ctx := context.Background()
	got, err := q.Limits(ctx, d.Reader(), "p")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]int64{"instances": 2, "cores": -1, "ram": 51200, "key_pairs": 100}, got); diff != "" {
		t.Errorf("Limits (-want +got):\n%s", diff)
	}
	if err := q.Check(ctx, d.Reader(), "p", "instances", 1, 2); err == nil {
		t.Error("Check passed the source's limit")
	}
	for name, err := range map[string]error{
		"SetLimit":     q.SetLimit(ctx, d.Writer(), "p", "instances", 5),
		"SetDefault":   q.SetDefault(ctx, d.Writer(), "instances", 5),
		"DeleteLimits": q.DeleteLimits(ctx, d.Writer(), "p"),
	} {
		if !errors.Is(err, ErrExternalLimits) {
			t.Errorf("%s = %v, want ErrExternalLimits", name, err)
		}
	}
	defs, err := q.Defaults(ctx, d.Reader())
	if err != nil || defs["instances"] != 10 {
		t.Errorf("Defaults = %v, %v", defs, err)
	}
	src.err = errors.New("identity unreachable")
	if _, err := q.Limit(ctx, d.Reader(), "p", "instances"); !errors.Is(err, src.err) {
		t.Errorf("source error not passed on: %v", err)
	}
}
