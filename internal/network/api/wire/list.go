package wire

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// reserved are the query parameters that are not attribute filters.
var reserved = map[string]bool{
	"fields": true, "sort_key": true, "sort_dir": true, "limit": true, "marker": true, "page_reverse": true,
	"tags": true, "tags-any": true, "not-tags": true, "not-tags-any": true,
}

// Query is a list request's query string, parsed.
type Query struct {
	Filters     map[string][]string
	Fields      []string
	SortKeys    []string
	SortDirs    []string
	Limit       int
	Marker      string
	PageReverse bool
	Tags        []string
	TagsAny     []string
	NotTags     []string
	NotTagsAny  []string
}

// ParseQuery reads a list request's query string.
func ParseQuery(r *http.Request) (Query, error) {
	v := r.URL.Query()
	q := Query{Filters: map[string][]string{}, Fields: v["fields"], SortKeys: v["sort_key"], SortDirs: v["sort_dir"],
		Marker: v.Get("marker"), PageReverse: strings.EqualFold(v.Get("page_reverse"), "true")}
	for k, vs := range v {
		if !reserved[k] {
			q.Filters[k] = vs
		}
	}
	for _, d := range q.SortDirs {
		if d != "asc" && d != "desc" {
			return q, network.BadRequest("Sort direction '%s' is not valid. Valid values are asc and desc.", d)
		}
	}
	if len(q.SortDirs) > 0 && len(q.SortDirs) != len(q.SortKeys) {
		return q, network.BadRequest("The number of sort_keys and sort_dirs must be same")
	}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return q, network.BadRequest("Limit must be an integer 0 or greater and not '%s'", s)
		}
		q.Limit = n
	}
	split := func(name string) []string {
		var out []string
		for _, s := range v[name] {
			for _, t := range strings.Split(s, ",") {
				if t != "" {
					out = append(out, t)
				}
			}
		}
		return out
	}
	q.Tags, q.TagsAny, q.NotTags, q.NotTagsAny = split("tags"), split("tags-any"), split("not-tags"), split("not-tags-any")
	return q, nil
}

// Filter is the store's part of the query: the caller's scope and the
// equality filters.
func (q Query) Filter(sc network.Scope) network.Filter {
	return network.Filter{Scope: sc, Eq: q.Filters}
}

// Match reports whether item passes the attribute and tag filters. A
// filter on an attribute the item does not have is ignored, as Neutron
// does without its filter-validation extension.
func (q Query) Match(item Item) bool {
	for name, want := range q.Filters {
		have, ok := item[name]
		if !ok {
			continue
		}
		if !matches(have, want) {
			return false
		}
	}
	if len(q.Tags)+len(q.TagsAny)+len(q.NotTags)+len(q.NotTagsAny) > 0 {
		tags, _ := item["tags"].([]string)
		has := map[string]bool{}
		for _, t := range tags {
			has[t] = true
		}
		all := func(ts []string) bool {
			for _, t := range ts {
				if !has[t] {
					return false
				}
			}
			return true
		}
		some := func(ts []string) bool {
			for _, t := range ts {
				if has[t] {
					return true
				}
			}
			return false
		}
		if len(q.Tags) > 0 && !all(q.Tags) || len(q.TagsAny) > 0 && !some(q.TagsAny) ||
			len(q.NotTags) > 0 && all(q.NotTags) || len(q.NotTagsAny) > 0 && some(q.NotTagsAny) {
			return false
		}
	}
	return true
}

// matches compares an attribute value with the filter's values (any may
// match). Lists match when they hold a value; lists of objects (fixed_ips)
// match "key=value" against any element.
func matches(have any, want []string) bool {
	switch h := have.(type) {
	case []string:
		for _, x := range h {
			for _, w := range want {
				if x == w {
					return true
				}
			}
		}
		return false
	case []Item:
		for _, el := range h {
			for _, w := range want {
				k, v, ok := strings.Cut(w, "=")
				if ok && Str(el[k]) == v {
					return true
				}
			}
		}
		return false
	case bool:
		for _, w := range want {
			if strings.EqualFold(w, strconv.FormatBool(h)) || (w == "1" && h) || (w == "0" && !h) {
				return true
			}
		}
		return false
	}
	s := Str(have)
	for _, w := range want {
		if s == w {
			return true
		}
	}
	return false
}

// List filters, sorts and pages items and writes {"<plural>": [...]} with
// Neutron's "<plural>_links" when a page was asked for.
func List(w http.ResponseWriter, r *http.Request, plural string, items []Item, q Query) error {
	kept := items[:0]
	for _, it := range items {
		if q.Match(it) {
			kept = append(kept, it)
		}
	}
	items = kept
	sortItems(items, q.SortKeys, q.SortDirs)
	body := map[string]any{}
	if q.Limit > 0 || q.Marker != "" {
		var links []Item
		items, links = page(r, items, q)
		if len(links) > 0 {
			body[plural+"_links"] = links
		}
	}
	out := make([]Item, len(items))
	for i, it := range items {
		out[i] = Select(it, q.Fields)
	}
	body[plural] = out
	return httpapi.WriteJSON(w, http.StatusOK, body)
}

// page cuts one page after (or, with page_reverse, before) the marker.
func page(r *http.Request, items []Item, q Query) ([]Item, []Item) {
	start, end := 0, len(items)
	if q.Marker != "" {
		at := -1
		for i, it := range items {
			if it["id"] == q.Marker {
				at = i
				break
			}
		}
		if q.PageReverse {
			if at >= 0 {
				end = at
			}
		} else if at >= 0 {
			start = at + 1
		}
	}
	if q.Limit > 0 {
		if q.PageReverse {
			if end-start > q.Limit {
				start = end - q.Limit
			}
		} else if end-start > q.Limit {
			end = start + q.Limit
		}
	}
	pg := items[start:end]
	var links []Item
	link := func(rel, marker string, reverse bool) {
		v := url.Values{}
		for k, vs := range r.URL.Query() {
			if k != "marker" && k != "page_reverse" {
				v[k] = vs
			}
		}
		v.Set("marker", marker)
		if reverse {
			v.Set("page_reverse", "True")
		}
		links = append(links, Item{"rel": rel, "href": httpapi.BaseURL(r) + r.URL.Path + "?" + v.Encode()})
	}
	if len(pg) > 0 {
		if q.Limit > 0 && len(pg) == q.Limit && (q.PageReverse || end < len(items)) {
			link("next", pg[len(pg)-1]["id"].(string), false)
		}
		if q.Marker != "" {
			link("previous", pg[0]["id"].(string), true)
		}
	}
	return pg, links
}
