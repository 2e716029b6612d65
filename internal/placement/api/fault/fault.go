// Package fault words and writes Placement's error answers as
// Placement's WSGI stack (webob, microversion-parse) does: the JSON
// errors body of the API-WG guideline, or HTML or plain text for a
// client whose Accept header prefers them; the refusal of a requested
// microversion; the 405 of a method a path does not serve.
package fault

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"slices"
	"strconv"
	"strings"

	pl "github.com/gostack/gostack/internal/placement"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// Writer is Placement's httpapi.Faults. Its JSON body is
// {"errors": [{"status": 404, "title": "Not Found", "detail": "...",
// "code": "placement.undefined_code", "request_id": "req-..."}]}; the
// code is the error's Type, placement.undefined_code when it has none,
// and is sent from microversion 1.23.
type Writer struct{}

// Write renders e in the media type Format picks for r's Accept header.
func (Writer) Write(w http.ResponseWriter, r *http.Request, e *apierr.Error) {
	status := strconv.Itoa(e.Code) + " " + http.StatusText(e.Code)
	var body []byte
	switch ct := Format(r.Header.Get("Accept")); ct {
	case "text/html":
		body = []byte("<html>\n <head>\n  <title>" + status + "</title>\n </head>\n <body>\n  <h1>" + status +
			"</h1>\n  " + html.EscapeString(e.Message) + "\n </body>\n</html>")
		w.Header().Set("Content-Type", "text/html; charset=UTF-8")
	case "text/plain":
		body = []byte(status + "\n\n" + e.Message)
		w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
	default:
		body = jsonBody(w, r, e)
		w.Header().Set("Content-Type", ct)
	}
	w.WriteHeader(e.Code)
	_, _ = w.Write(body)
}

func jsonBody(w http.ResponseWriter, r *http.Request, e *apierr.Error) []byte {
	item := map[string]any{
		"status":     e.Code,
		"title":      http.StatusText(e.Code),
		"detail":     e.Message,
		"request_id": httpapi.RequestID(r.Context()),
	}
	// The negotiated version is in the response header: the request
	// here is the one from before negotiation.
	if ver, err := httpapi.ParseVersion(strings.TrimPrefix(w.Header().Get("OpenStack-API-Version"), "placement ")); err == nil &&
		ver.AtLeast(httpapi.Version{Major: 1, Minor: 23}) {
		code := e.Type
		if code == "" {
			code = pl.CodeUndefined
		}
		item["code"] = code
	}
	// Written as Placement writes them: ">=" stays ">=", not "\u003e=".
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(map[string]any{"errors": []any{item}})
	return bytes.TrimSpace(b.Bytes())
}

// Format is the media type of an error answer to a request with the
// given Accept header, chosen as webob chooses it: no header, or */*
// alone, is JSON (Placement's request log middleware sets it so);
// otherwise the acceptable one of text/html and application/json with
// the higher q, text/html on a tie, and text/plain when neither is
// acceptable.
func Format(accept string) string {
	if a := strings.TrimSpace(accept); a == "" || a == "*/*" {
		return "application/json"
	}
	best, bestQ := "text/plain", 0.0
	for _, offer := range []string{"text/html", "application/json"} {
		if q := quality(accept, offer); q > bestQ {
			best, bestQ = offer, q
		}
	}
	return best
}

// quality is the q that accept gives offer: that of the most specific
// media range matching it (type/subtype, then type/*, then */*), 0 when
// none does.
func quality(accept, offer string) float64 {
	typ, _, _ := strings.Cut(offer, "/")
	q, spec := 0.0, 0
	for _, part := range strings.Split(accept, ",") {
		mr, params, _ := strings.Cut(part, ";")
		mr = strings.ToLower(strings.TrimSpace(mr))
		s := 0
		switch mr {
		case offer:
			s = 3
		case typ + "/*":
			s = 2
		case "*/*":
			s = 1
		}
		if s <= spec {
			continue
		}
		rq := 1.0
		for _, p := range strings.Split(params, ";") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(p), "q="); ok {
				if f, err := strconv.ParseFloat(v, 64); err == nil {
					rq = f
				}
			}
		}
		q, spec = rq, s
	}
	return q
}

// Refusal words a refused microversion (httpapi.Negotiator.Refusal) as
// microversion-parse does under Placement: a version that does not
// parse as two integers (bad) names Python's own error after the
// string; one out of range is "Unacceptable".
func Refusal(raw string, bad bool) string {
	if bad {
		parts := strings.SplitN(raw, ".", 2)
		if len(parts) < 2 {
			return fmt.Sprintf("Invalid microversion: invalid version string: %s; Version.__new__() missing 1 required positional argument: 'minor'", raw)
		}
		for _, p := range parts {
			if _, err := strconv.Atoi(strings.TrimSpace(p)); err != nil {
				return fmt.Sprintf("Invalid microversion: invalid version string: %s; invalid literal for int() with base 10: '%s'", raw, p)
			}
		}
	}
	return "Invalid microversion: Unacceptable version header: " + raw
}

// NotAllowed words a 405 (httpapi.API.NotAllowed) as Placement does:
// the Allow header names the methods of the path's routes, without the
// HEAD that ServeMux adds beside GET.
func NotAllowed(method, allow string) (msg, newAllow string) {
	var ms []string
	for _, m := range strings.Split(allow, ",") {
		if m = strings.TrimSpace(m); m != "" && m != http.MethodHead {
			ms = append(ms, m)
		}
	}
	slices.SortStableFunc(ms, func(a, b string) int {
		return rank(a) - rank(b)
	})
	return fmt.Sprintf("The method %s is not allowed for this resource.", method), strings.Join(ms, ", ")
}

// rank orders methods as Placement's route declarations do in its Allow
// headers.
func rank(m string) int {
	switch m {
	case http.MethodGet:
		return 0
	case http.MethodPost:
		return 1
	case http.MethodPut:
		return 2
	case http.MethodDelete:
		return 3
	}
	return 4
}
