package bench

import (
	"net/http"
	"testing"

	"github.com/gostack/gostack/testcloud"
)

// BenchmarkTokenValidate measures GET /v3/auth/tokens (validate, with the
// catalog) through the real HTTP stack of an in-process cloud.
func BenchmarkTokenValidate(b *testing.B) {
	c := testcloud.Start(b)
	tok := c.AdminToken(b)
	subjects := make([]string, 16)
	for i := range subjects {
		subjects[i] = c.AdminToken(b)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			req, _ := http.NewRequest("GET", c.AuthURL+"/auth/tokens", nil)
			req.Header.Set("X-Auth-Token", tok)
			req.Header.Set("X-Subject-Token", subjects[i%len(subjects)])
			i++
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Fatalf("validate: %d", resp.StatusCode)
			}
		}
	})
}
