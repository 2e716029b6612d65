package wire

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// Stamp is Cinder's time format: ISO 8601 with microseconds and no zone;
// null when the time is unset.
func Stamp(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format("2006-01-02T15:04:05.000000")
}

// Nullable is a string attribute Cinder shows as null when it is empty.
func Nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Flag reads a boolean attribute Cinder accepts as a JSON boolean or one
// of its boolean strings; absent or null is false.
func Flag(raw json.RawMessage, name string) (bool, error) {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		return false, nil
	}
	var b bool
	if json.Unmarshal(raw, &b) == nil {
		return b, nil
	}
	var text string
	if json.Unmarshal(raw, &text) == nil {
		if b, ok := Bool(text); ok {
			return b, nil
		}
	}
	return false, apierr.BadRequest("Invalid input received: %s must be a boolean, got %s.", name, s)
}

// Accepted answers 202 with no body, as Cinder answers the requests whose
// work goes on after the answer (deletes, most actions).
func Accepted(w http.ResponseWriter) error {
	w.WriteHeader(http.StatusAccepted)
	return nil
}

// ResetStatus is the handler of a resource's os-reset_status action
// ({"os-reset_status": {"status": ...}}): set writes the status of the
// resource the request names.
func ResetStatus(set func(r *http.Request, status string) error) httpapi.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var body struct {
			Status *string `json:"status"`
		}
		if err := Body(r, "os-reset_status", &body); err != nil {
			return err
		}
		if body.Status == nil {
			return apierr.BadRequest("Must specify 'status'")
		}
		if err := set(r, *body.Status); err != nil {
			return err
		}
		return Accepted(w)
	}
}
