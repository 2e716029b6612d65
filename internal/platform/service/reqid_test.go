package service_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
	"github.com/gostack/gostack/internal/platform/logtest"
	"github.com/gostack/gostack/internal/platform/reqid"
	"github.com/gostack/gostack/internal/platform/service"
)

type faults struct{}

func (faults) Write(w http.ResponseWriter, r *http.Request, e *apierr.Error) {
	http.Error(w, e.Message, e.Code)
}

// A request to compute that calls placement through Env.HTTPClient is
// logged by placement under compute's request id as its global id — when
// placement is served in this process and when it is another process.
func TestRequestIDFollowsServiceCalls(t *testing.T) {
	var logs logtest.Buffer
	log := slog.New(reqid.Handler(slog.NewJSONHandler(&logs, nil)))
	env := service.NewEnv("")

	placement := &httpapi.API{Service: "placement", Faults: faults{}, Log: log}
	pmux := http.NewServeMux()
	placement.Mount(pmux, []httpapi.Route{{Method: "GET", Pattern: "/allocations", Public: true,
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			log.InfoContext(r.Context(), "claiming")
			return nil
		}}})
	env.Serve("placement.invalid:8778", pmux)
	remote := httptest.NewServer(pmux)
	defer remote.Close()

	compute := &httpapi.API{Service: "compute", Faults: faults{}, Log: log}
	cmux := http.NewServeMux()
	compute.Mount(cmux, []httpapi.Route{{Method: "POST", Pattern: "/servers", Public: true,
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			for _, u := range []string{"http://placement.invalid:8778/allocations", remote.URL + "/allocations"} {
				req, _ := http.NewRequestWithContext(r.Context(), "GET", u, nil)
				resp, err := env.HTTPClient().Do(req)
				if err != nil {
					return err
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			return nil
		}}})
	front := httptest.NewServer(cmux)
	defer front.Close()

	resp, err := http.Post(front.URL+"/servers", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	rid := resp.Header.Get(reqid.Header)
	if resp.StatusCode != 200 || !reqid.Valid(rid) {
		t.Fatalf("POST /servers: %d, request id %q", resp.StatusCode, rid)
	}
	var computeLines, placementLines, handlerLines int
	own := map[any]bool{}
	for _, l := range logs.Records(t) {
		switch l["service"] {
		case "compute":
			computeLines++
			if l["request_id"] != rid || l["global_request_id"] != nil {
				t.Errorf("compute line %v, want request_id %s and no global id", l, rid)
			}
		case "placement":
			placementLines++
			own[l["request_id"]] = true
			if l["global_request_id"] != rid || l["request_id"] == rid {
				t.Errorf("placement line %v, want global_request_id %s and an id of its own", l, rid)
			}
		default:
			handlerLines++
			if l["global_request_id"] != rid {
				t.Errorf("handler line %v, want global_request_id %s", l, rid)
			}
		}
	}
	// Each placement request logs an access line and the handler's.
	if computeLines != 1 || placementLines != 2 || len(own) != 2 || handlerLines != 2 {
		t.Errorf("%d compute and %d placement access lines with %d placement ids, %d handler lines; want 1, 2, 2 and 2", computeLines, placementLines, len(own), handlerLines)
	}
}
