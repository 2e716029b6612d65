package image

import (
	"testing"
	"time"

	"github.com/gostack/gostack/internal/image/patch"
)

func FuzzJSONPatch(f *testing.F) {
	for _, s := range []string{
		`[{"op": "replace", "path": "/name", "value": "x"}]`,
		`[{"add": "/tags", "value": ["a", "b"]}, {"remove": "/k"}]`,
		`[{"op": "add", "path": "/locations/-", "value": {"url": "http://h/x", "metadata": {}}}]`,
		`[{"op": "remove", "path": "/locations/0"}]`,
		`[{"op": "add", "path": "/min_ram", "value": 1.5}]`,
		`[{"op": "add", "path": "/a~1b~0", "value": "v"}]`,
		`{}`, `[null]`, `[1]`,
	} {
		f.Add([]byte(s))
	}
	s := &Service{cfg: Config{}}
	s.cfg.setDefaults()
	name := "n"
	base := &Image{ID: "id", Name: &name, Status: StatusQueued, Visibility: Private, Owner: "p",
		Tags: []string{"t"}, Properties: map[string]string{"k": "v"}, CreatedAt: time.Unix(0, 0)}
	f.Fuzz(func(t *testing.T, body []byte) {
		ops, err := patch.Parse(body)
		if err != nil {
			return
		}
		for _, op := range ops {
			if len(op.Path) == 0 {
				t.Fatalf("op without path: %+v", op)
			}
		}
		s.ApplyPatch(Caller{ProjectID: "p"}, base, ops)
		s.ApplyPatch(Caller{ProjectID: "p", Admin: true}, base, ops)
	})
}
