package oauth1

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gostack/gostack/internal/platform/apierr"
)

func TestUnsupported(t *testing.T) {
	err := Unsupported("OS-OAUTH1 request token")(httptest.NewRecorder(), httptest.NewRequest("POST", "/v3/OS-OAUTH1/request_token", nil))
	if apierr.Status(err) != 404 || !strings.Contains(apierr.Message(err), "Could not find OS-OAUTH1 request token: gostack does not implement") {
		t.Errorf("err = %v", err)
	}
}
