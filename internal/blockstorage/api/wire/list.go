package wire

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// ListQuery is Cinder's paging and sorting of a collection.
type ListQuery struct {
	Limit     int // 0: no limit given
	Marker    string
	Offset    int
	SortKeys  []string
	SortDirs  []string
	WithCount bool
}

// ParseList reads sort (key:dir,...), sort_key/sort_dir, limit, marker,
// offset and with_count (3.45). Cinder's default order is created_at
// descending, then id descending.
func ParseList(r *http.Request) (ListQuery, error) {
	q := r.URL.Query()
	var lq ListQuery
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return lq, apierr.BadRequest("Invalid input received: limit must be a non-negative integer.")
		}
		lq.Limit = n
		if n == 0 {
			lq.Limit = -1 // an empty page
		}
	}
	lq.Marker = q.Get("marker")
	if s := q.Get("offset"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return lq, apierr.BadRequest("Invalid input received: offset must be a non-negative integer.")
		}
		lq.Offset = n
	}
	if s := q.Get("sort"); s != "" {
		if q.Get("sort_key") != "" || q.Get("sort_dir") != "" {
			return lq, apierr.BadRequest("The 'sort_key' and 'sort_dir' parameters are deprecated and cannot be used with the 'sort' parameter.")
		}
		for _, part := range strings.Split(s, ",") {
			k, d, _ := strings.Cut(strings.TrimSpace(part), ":")
			if d == "" {
				d = "desc"
			}
			lq.SortKeys, lq.SortDirs = append(lq.SortKeys, k), append(lq.SortDirs, strings.ToLower(d))
		}
	} else if k := q.Get("sort_key"); k != "" {
		d := q.Get("sort_dir")
		if d == "" {
			d = "desc"
		}
		lq.SortKeys, lq.SortDirs = []string{k}, []string{strings.ToLower(d)}
	}
	for _, d := range lq.SortDirs {
		if d != "asc" && d != "desc" {
			return lq, apierr.BadRequest("Invalid input received: Unknown sort direction, must be 'desc' or 'asc'")
		}
	}
	if len(lq.SortKeys) == 0 {
		lq.SortKeys, lq.SortDirs = []string{"created_at", "id"}, []string{"desc", "desc"}
	}
	if s := q.Get("with_count"); s != "" && AtLeast(r, 45) {
		b, ok := Bool(s)
		if !ok {
			return lq, apierr.BadRequest("Invalid input received: with_count must be a boolean.")
		}
		lq.WithCount = b
	}
	return lq, nil
}

// SortBy maps the query's sort keys to the rendered attributes they
// order by (keys: what Cinder accepts for the collection → attribute); a
// key keys lacks is Cinder's 400.
func (lq *ListQuery) SortBy(keys map[string]string) error {
	for i, k := range lq.SortKeys {
		key, ok := keys[k]
		if !ok {
			return apierr.BadRequest("Invalid input received: Invalid sort key %s", k)
		}
		lq.SortKeys[i] = key
	}
	return nil
}

// Page sorts items by the query's keys (rendered attribute names; "name"
// sorts by display name), then applies marker, offset and limit. It
// returns the page and the count before paging (with_count).
func (lq ListQuery) Page(items []Item) ([]Item, int, error) {
	slices.SortStableFunc(items, func(a, b Item) int {
		for i, k := range lq.SortKeys {
			c := compare(a[k], b[k])
			if lq.SortDirs[i] == "desc" {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return 0
	})
	total := len(items)
	if lq.Marker != "" {
		i := slices.IndexFunc(items, func(it Item) bool { return it["id"] == lq.Marker })
		if i < 0 {
			return nil, 0, apierr.NotFound("Marker %s could not be found.", lq.Marker)
		}
		items = items[i+1:]
	}
	if lq.Offset > 0 {
		if lq.Offset >= len(items) {
			items = nil
		} else {
			items = items[lq.Offset:]
		}
	}
	switch {
	case lq.Limit < 0:
		items = nil
	case lq.Limit > 0 && lq.Limit < len(items):
		items = items[:lq.Limit]
	}
	if items == nil {
		items = []Item{}
	}
	return items, total, nil
}

func compare(a, b any) int {
	switch x := a.(type) {
	case string:
		y, _ := b.(string)
		return cmp.Compare(x, y)
	case int:
		y, _ := b.(int)
		return cmp.Compare(x, y)
	case bool:
		y, _ := b.(bool)
		return cmp.Compare(fmt.Sprint(x), fmt.Sprint(y))
	case nil:
		if b == nil {
			return 0
		}
		return -1
	}
	return cmp.Compare(fmt.Sprint(a), fmt.Sprint(b))
}

// Keep cuts each item of a page down to keys: the summary list of a
// collection whose items were rendered in detail for sorting.
func Keep(page []Item, keys ...string) {
	for i, it := range page {
		short := make(Item, len(keys))
		for _, k := range keys {
			short[k] = it[k]
		}
		page[i] = short
	}
}

// WriteList writes {plural: page} with "<plural>_links" when the page is
// full (a next link whose marker is the page's last id) and "count" when
// asked for.
func WriteList(w http.ResponseWriter, r *http.Request, plural string, lq ListQuery, page []Item, total int) error {
	body := map[string]any{plural: page}
	if lq.Limit > 0 && len(page) == lq.Limit {
		last, _ := page[len(page)-1]["id"].(string)
		body[plural+"_links"] = httpapi.NextLinks(r, httpapi.Page{Limit: lq.Limit}, len(page), last)
	}
	if lq.WithCount {
		body["count"] = total
	}
	return httpapi.WriteJSON(w, http.StatusOK, body)
}
