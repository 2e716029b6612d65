package httpapi

import (
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/gostack/gostack/internal/platform/apierr"
)

func TestKeyedFaults(t *testing.T) {
	f := KeyedFaults{Internal: "it broke"}
	for _, c := range []struct {
		code      int
		name, msg string
	}{
		{404, "itemNotFound", "no such thing"},
		{409, "conflictingRequest", "no such thing"},
		{413, "overLimit", "no such thing"},
		{500, "computeFault", "it broke"}, // the cause is never shown
		{418, "computeFault", "no such thing"},
	} {
		w := httptest.NewRecorder()
		f.Write(w, httptest.NewRequest("GET", "/", nil), &apierr.Error{Code: c.code, Message: "no such thing"})
		var body map[string]struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
			t.Fatal(err)
		}
		if got := body[c.name]; w.Code != c.code || got.Code != c.code || got.Message != c.msg || len(body) != 1 {
			t.Errorf("%d: status %d, body %s", c.code, w.Code, w.Body)
		}
	}
}
