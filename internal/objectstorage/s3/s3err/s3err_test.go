package s3err

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestBody pins the error document byte for byte: lxml's declaration,
// Code, Message, RequestId, then the extra fields, escaped.
func TestBody(t *testing.T) {
	for _, c := range []struct {
		err  *Error
		id   string
		want string
	}{
		{NoSuchKey("a<b>&c"), "tx1", "<?xml version='1.0' encoding='UTF-8'?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><RequestId>tx1</RequestId><Key>a&lt;b&gt;&amp;c</Key></Error>"},
		{AccessDenied(""), "", "<?xml version='1.0' encoding='UTF-8'?>\n<Error><Code>AccessDenied</Code><Message>Access Denied.</Message></Error>"},
		{InvalidArgument("max-keys", "-1", "m"), "t", "<?xml version='1.0' encoding='UTF-8'?>\n<Error><Code>InvalidArgument</Code><Message>m</Message><RequestId>t</RequestId><ArgumentName>max-keys</ArgumentName><ArgumentValue>-1</ArgumentValue></Error>"},
		{NotImplemented(""), "t", "<?xml version='1.0' encoding='UTF-8'?>\n<Error><Code>NotImplemented</Code><Message>Not implemented.</Message><RequestId>t</RequestId></Error>"},
	} {
		if got := string(c.err.Body(c.id)); got != c.want {
			t.Errorf("got  %s\nwant %s", got, c.want)
		}
	}
}

// TestWrite checks the status, headers, and that HEAD gets no body.
func TestWrite(t *testing.T) {
	for _, m := range []string{"GET", "HEAD"} {
		w := httptest.NewRecorder()
		BucketNotEmpty().Write(w, httptest.NewRequest(m, "/b", nil), "tx")
		if w.Code != http.StatusConflict || w.Header().Get("Content-Type") != "application/xml" || w.Header().Get("Content-Length") == "0" {
			t.Errorf("%s: %d %v", m, w.Code, w.Header())
		}
		if (m == "HEAD") != (w.Body.Len() == 0) {
			t.Errorf("%s: body %q", m, w.Body)
		}
	}
	w := httptest.NewRecorder()
	RequestTimeout().Write(w, httptest.NewRequest("PUT", "/b/k", nil), "tx")
	if w.Header().Get("Connection") != "close" {
		t.Error("RequestTimeout keeps the connection")
	}
	if !Is(NoSuchBucket("b"), "NoSuchBucket") || Is(NoSuchBucket("b"), "NoSuchKey") || Is(nil, "NoSuchKey") {
		t.Error("Is")
	}
}
