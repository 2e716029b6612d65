package api

import (
	"errors"
	"testing"

	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// FuzzDecodeAllocations feeds arbitrary bodies to the allocations PUT
// decoder at several microversions: it must never panic, and must answer
// either a consumer or a 4xx *apierr.Error.
func FuzzDecodeAllocations(f *testing.F) {
	seeds := []string{
		`{"allocations":{"11111111-1111-1111-1111-111111111111":{"resources":{"VCPU":1}}},"project_id":"p","user_id":"u","consumer_generation":null}`,
		`{"allocations":[{"resource_provider":{"uuid":"x"},"resources":{"VCPU":1}}]}`,
		`{"allocations":{},"project_id":"p","user_id":"u","consumer_generation":3,"consumer_type":"INSTANCE"}`,
		`{"allocations":{"a":{"resources":{}}},"mappings":{"1":["a"]}}`,
		`{"allocations":null}`, `[]`, `{`, `{"allocations":{"a":{"resources":{"VCPU":1.5}}}}`,
	}
	for _, s := range seeds {
		for _, m := range []int{0, 12, 28, 38} {
			f.Add([]byte(s), m)
		}
	}
	f.Fuzz(func(t *testing.T, body []byte, minor int) {
		if minor < 0 || minor > 39 {
			return
		}
		ca, err := DecodeAllocations(body, httpapi.Version{Major: 1, Minor: minor}, "c")
		if err != nil {
			var he *apierr.Error
			if !errors.As(err, &he) || he.Code < 400 || he.Code >= 500 {
				t.Fatalf("error %v is not a 4xx", err)
			}
			return
		}
		if ca.Consumer.UUID != "c" {
			t.Fatalf("consumer = %q", ca.Consumer.UUID)
		}
		for _, a := range ca.Allocations {
			if a.ProviderUUID == "" && minor < 12 {
				t.Fatalf("allocation without provider: %+v", a)
			}
		}
	})
}
