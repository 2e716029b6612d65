// Package listing holds the proxy's part of Swift's listing formats: the
// choice of format from ?format= and Accept (listing_formats), and the
// listing of an account that does not exist yet.
package listing

import (
	"encoding/xml"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gostack/gostack/internal/objectstorage/swift"
)

// listingTypes are the listing formats, in swob's order of preference.
var listingTypes = []string{"text/plain", "application/json", "application/xml", "text/xml"}

// ContentType is Swift's get_listing_content_type: the format
// query parameter wins (an unknown one means plain text), else the Accept
// header is matched against the listing formats.
func ContentType(r *http.Request) (string, error) {
	accept := r.Header.Get("Accept")
	if f := r.URL.Query().Get("format"); f != "" {
		switch strings.ToLower(f) {
		case "json":
			accept = "application/json"
		case "xml":
			accept = "application/xml"
		default:
			accept = "text/plain"
		}
	}
	ct, ok := bestMatch(accept, listingTypes)
	if !ok {
		return "", swift.NewError(http.StatusNotAcceptable, "")
	}
	return ct, nil
}

type acceptEntry struct {
	typ, sub string
	q        float64
}

// bestMatch is swob's Accept.best_match: the accepted types by falling
// quality, the first option each matches; no Accept means the first
// option.
func bestMatch(accept string, options []string) (string, bool) {
	if strings.TrimSpace(accept) == "" {
		return options[0], true
	}
	var entries []acceptEntry
	for part := range strings.SplitSeq(accept, ",") {
		fields := strings.Split(part, ";")
		mt := strings.ToLower(strings.TrimSpace(fields[0]))
		typ, sub, ok := strings.Cut(mt, "/")
		if !ok {
			if mt == "*" {
				typ, sub = "*", "*"
			} else {
				continue
			}
		}
		q := 1.0
		for _, p := range fields[1:] {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.TrimSpace(k) == "q" {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = f
				}
			}
		}
		if q <= 0 {
			continue
		}
		entries = append(entries, acceptEntry{typ, sub, q})
	}
	slices.SortStableFunc(entries, func(a, b acceptEntry) int {
		switch {
		case a.q > b.q:
			return -1
		case a.q < b.q:
			return 1
		}
		return 0
	})
	for _, e := range entries {
		for _, o := range options {
			ot, os, _ := strings.Cut(o, "/")
			if (e.typ == "*" || e.typ == ot) && (e.sub == "*" || e.sub == os) {
				return o, true
			}
		}
	}
	return "", false
}

// EmptyAccount returns the status and body of the listing of an account
// that does not exist (Swift's account_listing_response over an empty
// account) in content type ct.
func EmptyAccount(ct, account string) (int, string) {
	switch {
	case strings.HasSuffix(ct, "/xml"):
		var b strings.Builder
		b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<account name="`)
		_ = xml.EscapeText(&b, []byte(account))
		b.WriteString("\">\n</account>")
		return http.StatusOK, strings.ReplaceAll(b.String(), "&#34;", "&quot;")
	case strings.HasSuffix(ct, "/json"):
		return http.StatusOK, "[]"
	}
	return http.StatusNoContent, ""
}
