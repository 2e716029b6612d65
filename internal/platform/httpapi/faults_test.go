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

// TestKeyedFaultsRead: a client reads back the fault name and message
// Write sent, and leaves a body of another shape alone.
func TestKeyedFaultsRead(t *testing.T) {
	w := httptest.NewRecorder()
	KeyedFaults{}.Write(w, httptest.NewRequest("GET", "/", nil), &apierr.Error{Code: 404, Message: "Volume v could not be found."})
	var e apierr.Error
	KeyedFaults{}.Read(w.Body.Bytes(), &e)
	if e.Type != "itemNotFound" || e.Message != "Volume v could not be found." {
		t.Errorf("read back %+v from %s", e, w.Body)
	}
	for _, body := range []string{`upstream down`, `{"a": {"message": "x"}, "b": {}}`, `{"badRequest": {"code": 400}}`, `{"error": "x"}`} {
		e := apierr.Error{Message: "kept"}
		KeyedFaults{}.Read([]byte(body), &e)
		if e.Type != "" || e.Message != "kept" {
			t.Errorf("%s: read %+v", body, e)
		}
	}
}
