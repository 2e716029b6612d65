package rows_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gostack/gostack/internal/blockstorage/store/rows"
	"github.com/gostack/gostack/internal/platform/apierr"
)

type result struct {
	n   int64
	err error
}

func (r result) LastInsertId() (int64, error) { return 0, nil }
func (r result) RowsAffected() (int64, error) { return r.n, r.err }

func TestAffected(t *testing.T) {
	boom := errors.New("boom")
	for _, tc := range []struct {
		name string
		res  result
		err  error
		want error
	}{
		{"one row", result{n: 1}, nil, nil},
		{"no row", result{}, nil, apierr.ErrNotFound},
		{"statement failed", result{n: 1}, boom, boom},
		{"count failed", result{err: boom}, nil, boom},
	} {
		if got := rows.Affected(tc.res, tc.err); !errors.Is(got, tc.want) || (tc.want == nil) != (got == nil) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestMeta(t *testing.T) {
	for _, tc := range []struct {
		in   map[string]string
		text string
	}{
		{nil, "{}"},
		{map[string]string{}, "{}"},
		{map[string]string{"k": "v"}, `{"k":"v"}`},
	} {
		text := rows.Meta(tc.in)
		if text != tc.text {
			t.Errorf("Meta(%v) = %s, want %s", tc.in, text, tc.text)
		}
		got, err := rows.ReadMeta(text)
		if err != nil {
			t.Fatal(err)
		}
		want := tc.in
		if want == nil {
			want = map[string]string{}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("ReadMeta(%s) (-want +got):\n%s", text, diff)
		}
	}
	for _, s := range []string{"", "null"} {
		if got, err := rows.ReadMeta(s); err != nil || got == nil || len(got) != 0 {
			t.Errorf("ReadMeta(%q) = %v, %v; want an empty map", s, got, err)
		}
	}
	if _, err := rows.ReadMeta("[1]"); err == nil {
		t.Error("ReadMeta of a list: no error")
	}
	if err := rows.Duplicate(nil); err != nil {
		t.Errorf("Duplicate(nil) = %v", err)
	}
}
