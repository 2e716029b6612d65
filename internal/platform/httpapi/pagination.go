package httpapi

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gostack/gostack/internal/platform/apierr"
)

// Pagination follows the OpenStack APIs: ?limit=N&marker=<id of the last
// item seen>, sorting by sort_key/sort_dir pairs (Nova, Neutron, Cinder,
// Glance) or sort=key:dir,... (Glance, Cinder), and a link to the next
// page when a page came back full — "<collection>_links" in Nova and
// Neutron, "next" in Glance.

// PageOptions bound a collection's page size.
type PageOptions struct {
	// DefaultLimit applies when the request gives no limit; zero means
	// MaxLimit.
	DefaultLimit int
	// MaxLimit caps every page (Nova's max_limit, 1000 by default); zero
	// means 1000.
	MaxLimit int
}

// Page is a parsed page request. Limit is always between 1 and the cap.
type Page struct {
	Limit  int
	Marker string
}

// ParsePage reads limit and marker. A limit that is not a non-negative
// integer is a 400; a limit above the cap is lowered to it; limit=0 means
// "as many as allowed", as in Nova.
func ParsePage(r *http.Request, o PageOptions) (Page, error) {
	max := o.MaxLimit
	if max <= 0 {
		max = 1000
	}
	p := Page{Limit: o.DefaultLimit, Marker: r.URL.Query().Get("marker")}
	if p.Limit <= 0 || p.Limit > max {
		p.Limit = max
	}
	if raw, ok := lastValue(r.URL.Query(), "limit"); ok {
		n, err := strconv.Atoi(strings.TrimSpace(raw))
		if err != nil || n < 0 {
			return Page{}, &apierr.Error{Code: http.StatusBadRequest, Message: fmt.Sprintf("Invalid input for query parameter 'limit': %q is not a non-negative integer.", raw)}
		}
		p.Limit = n
		if n == 0 || n > max {
			p.Limit = max
		}
	}
	return p, nil
}

func lastValue(q url.Values, key string) (string, bool) {
	vs, ok := q[key]
	if !ok || len(vs) == 0 {
		return "", false
	}
	return vs[len(vs)-1], true
}

// Sort is one sort criterion.
type Sort struct {
	Key string
	Dir string // "asc" or "desc"
}

// Desc reports whether the direction is descending.
func (s Sort) Desc() bool { return s.Dir == "desc" }

// SortOptions describe how a collection may be sorted.
type SortOptions struct {
	// Allowed lists the keys clients may sort on; anything else is a 400.
	Allowed []string
	// Default is used when the request gives no sort keys.
	Default []Sort
	// DefaultDir applies to keys given without a direction; "desc" when
	// empty (Nova's and Cinder's default).
	DefaultDir string
}

// ParseSort reads sort_key/sort_dir pairs or the sort=key[:dir],...
// syntax (not both). Directions pair with keys in order; keys without one
// get DefaultDir; more directions than keys, an unknown key or a
// direction other than asc/desc is a 400. A repeated key is dropped after
// its first use.
func ParseSort(r *http.Request, o SortOptions) ([]Sort, error) {
	q := r.URL.Query()
	defDir := o.DefaultDir
	if defDir == "" {
		defDir = "desc"
	}
	var keys, dirs []string
	if combined, ok := q["sort"]; ok {
		if _, dup := q["sort_key"]; dup {
			return nil, badQuery("The 'sort' parameter cannot be combined with 'sort_key' or 'sort_dir'.")
		}
		if _, dup := q["sort_dir"]; dup {
			return nil, badQuery("The 'sort' parameter cannot be combined with 'sort_key' or 'sort_dir'.")
		}
		for _, v := range combined {
			for _, part := range strings.Split(v, ",") {
				part = strings.TrimSpace(part)
				if part == "" {
					continue
				}
				k, d, _ := strings.Cut(part, ":")
				keys, dirs = append(keys, strings.TrimSpace(k)), append(dirs, strings.TrimSpace(d))
			}
		}
	} else {
		keys, dirs = SplitList(q["sort_key"]), SplitList(q["sort_dir"])
		if len(dirs) > len(keys) {
			return nil, badQuery("The number of sort_dir values must not exceed the number of sort_key values.")
		}
	}
	if len(keys) == 0 {
		return slices.Clone(o.Default), nil
	}
	out := make([]Sort, 0, len(keys))
	seen := map[string]bool{}
	for i, k := range keys {
		if !slices.Contains(o.Allowed, k) {
			return nil, badQuery(fmt.Sprintf("Invalid sort key %q; allowed keys: %s.", k, strings.Join(o.Allowed, ", ")))
		}
		d := defDir
		if i < len(dirs) && dirs[i] != "" {
			d = strings.ToLower(dirs[i])
		}
		if d != "asc" && d != "desc" {
			return nil, badQuery(fmt.Sprintf("Invalid sort direction %q; must be asc or desc.", dirs[i]))
		}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, Sort{Key: k, Dir: d})
	}
	return out, nil
}

// SplitList flattens repeated and comma-separated query values.
func SplitList(vs []string) []string {
	var out []string
	for _, v := range vs {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

func badQuery(msg string) *apierr.Error {
	return &apierr.Error{Code: http.StatusBadRequest, Message: msg}
}

// Link is one entry of a Nova/Neutron "<collection>_links" list.
type Link struct {
	Rel  string `json:"rel"`
	Href string `json:"href"`
}

// NextLinks returns the "<collection>_links" value for a page of n items
// whose last item is lastMarker: one "next" link, absolute, repeating the
// request's query with marker replaced, when the page is full; nil when
// it is not (so the field can be omitted).
func NextLinks(r *http.Request, p Page, n int, lastMarker string) []Link {
	if n < p.Limit || n == 0 || lastMarker == "" {
		return nil
	}
	return []Link{{Rel: "next", Href: BaseURL(r) + nextPathQuery(r, p, lastMarker)}}
}

// NextPath returns Glance's "next" value — path and query, relative to
// the host — for a full page, or "" when there is no next page.
func NextPath(r *http.Request, p Page, n int, lastMarker string) string {
	if n < p.Limit || n == 0 || lastMarker == "" {
		return ""
	}
	return nextPathQuery(r, p, lastMarker)
}

func nextPathQuery(r *http.Request, p Page, marker string) string {
	q := r.URL.Query()
	q.Set("marker", marker)
	q.Set("limit", strconv.Itoa(p.Limit))
	return r.URL.EscapedPath() + "?" + q.Encode()
}

// PageSlice returns the page p of items (already sorted), for collections
// kept in memory. id gives an item's marker. A marker that matches no
// item is a 400, as in Nova ("marker [x] not found").
func PageSlice[T any](items []T, p Page, id func(T) string) ([]T, error) {
	start := 0
	if p.Marker != "" {
		i := slices.IndexFunc(items, func(it T) bool { return id(it) == p.Marker })
		if i < 0 {
			return nil, &apierr.Error{Code: http.StatusBadRequest, Message: fmt.Sprintf("marker [%s] not found", p.Marker)}
		}
		start = i + 1
	}
	end := len(items)
	if p.Limit > 0 && start+p.Limit < end {
		end = start + p.Limit
	}
	return items[start:end], nil
}
