// Package staticweb is Swift's staticweb middleware: a public container
// serves as a web site to anonymous readers (and to tempurl holders, or
// anyone sending X-Web-Mode: true). X-Container-Meta-Web-Index names the
// index object of each "directory"; -Web-Listings turns on HTML
// listings (styled with -Web-Listings-CSS, titled with
// -Web-Listings-Label); -Web-Error names the page shown for errors as
// "<status><name>" (404error.html); -Web-Directory-Type marks directory
// marker objects (application/directory by default).
//
// Access is the proxy's: every read is a subrequest as the caller, so
// the container's read ACL (.r:*, .rlistings) decides.
package staticweb

import (
	"encoding/json"
	"fmt"
	"html"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/gostack/gostack/internal/objectstorage/middleware"
	"github.com/gostack/gostack/internal/objectstorage/swift"
)

// Config configures the middleware.
type Config struct {
	// URLBase ("https://example.com") is the scheme and host of redirect
	// Locations; empty leaves them relative to the request's host.
	URLBase string
}

// Info is the /info section "staticweb": it has no settings.
func (Config) Info() map[string]any { return map[string]any{} }

// StaticWeb is the middleware.
type StaticWeb struct {
	next http.Handler
	cfg  Config
}

// New returns the staticweb middleware in front of next.
func New(next http.Handler, cfg Config) *StaticWeb {
	cfg.URLBase = strings.TrimRight(cfg.URLBase, "/")
	return &StaticWeb{next: next, cfg: cfg}
}

// site is a container's web settings.
type site struct {
	index, errPage, listings, label, css, dirType string
	found                                         bool
}

func (s *StaticWeb) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		s.next.ServeHTTP(w, r)
		return
	}
	p, ok := middleware.SplitPath(r.URL.Path)
	if !ok || p.Container == "" {
		s.next.ServeHTTP(w, r)
		return
	}
	_, hasCaller := swift.CallerFrom(r.Context())
	webMode := swift.TrueValue(r.Header.Get("X-Web-Mode"))
	if hasCaller && !swift.Authorized(r.Context()) && !webMode {
		s.next.ServeHTTP(w, r)
		return
	}
	c := &call{s: s, w: w, r: r, p: p, webMode: webMode}
	c.site = s.siteOf(r, p)
	if p.Object == "" {
		c.container()
		return
	}
	c.object()
}

// siteOf reads a container's web metadata with an authorized HEAD.
func (s *StaticWeb) siteOf(r *http.Request, p middleware.Path) site {
	ctx := middleware.MetadataContext(r.Context())
	resp := middleware.Do(ctx, s.next, middleware.NewRequest(ctx, http.MethodHead, p.ContainerPath(), "", nil))
	middleware.Drain(resp)
	if resp.StatusCode/100 != 2 {
		return site{}
	}
	g := func(k string) string { return strings.TrimSpace(resp.Header.Get("X-Container-Meta-" + k)) }
	return site{index: g("Web-Index"), errPage: g("Web-Error"), listings: g("Web-Listings"),
		label: g("Web-Listings-Label"), css: g("Web-Listings-Css"), dirType: g("Web-Directory-Type"), found: true}
}

// call is one request being served.
type call struct {
	s       *StaticWeb
	w       http.ResponseWriter
	r       *http.Request
	p       middleware.Path
	site    site
	webMode bool
}

// get makes a GET subrequest as the caller.
func (c *call) get(path, query string) *http.Response {
	req := middleware.NewRequest(c.r.Context(), c.r.Method, path, query, nil)
	for k, v := range c.r.Header {
		switch k {
		case "X-Auth-Token", "Range", "If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since", "Referer", "X-Web-Mode":
			req.Header[k] = v
		}
	}
	return middleware.Do(c.r.Context(), c.s.next, req)
}

// relay sends a subrequest's response to the client.
func (c *call) relay(resp *http.Response, status int) {
	defer resp.Body.Close()
	for k, v := range resp.Header {
		c.w.Header()[k] = v
	}
	c.w.WriteHeader(status)
	if c.r.Method != http.MethodHead {
		_, _ = io.Copy(c.w, resp.Body)
	}
}

// errorPage answers status with the container's error page for it
// ("<status><web-error>") when there is one, else with body (nil: the
// default body for status).
func (c *call) errorPage(status int, hdr http.Header, body []byte) {
	if c.site.errPage != "" {
		resp := c.get(c.p.ContainerPath()+"/"+strconv.Itoa(status)+c.site.errPage, "")
		if resp.StatusCode/100 == 2 {
			c.relay(resp, status)
			return
		}
		middleware.Drain(resp)
	}
	for k, v := range hdr {
		c.w.Header()[k] = v
	}
	if body == nil {
		middleware.Error(c.w, c.r, status, "")
		return
	}
	c.w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	c.w.WriteHeader(status)
	if c.r.Method != http.MethodHead {
		_, _ = c.w.Write(body)
	}
}

// redirectSlash answers 301 to the path with a slash added.
func (c *call) redirectSlash() {
	loc := swift.Quote(c.r.URL.Path+"/", "/")
	if c.s.cfg.URLBase != "" {
		loc = c.s.cfg.URLBase + loc
	}
	c.w.Header().Set("Location", loc)
	middleware.Error(c.w, c.r, http.StatusMovedPermanently, "")
}

func (c *call) container() {
	// The caller must be allowed to read the container itself (a
	// listing needs .rlistings), as Swift checks the read ACL first.
	probe := middleware.NewRequest(c.r.Context(), http.MethodHead, c.p.ContainerPath(), "", nil)
	if t := c.r.Header.Get("X-Auth-Token"); t != "" {
		probe.Header.Set("X-Auth-Token", t)
	}
	if ref := c.r.Referer(); ref != "" {
		probe.Header.Set("Referer", ref)
	}
	pr := middleware.Do(c.r.Context(), c.s.next, probe)
	middleware.Drain(pr)
	if pr.StatusCode == http.StatusUnauthorized || pr.StatusCode == http.StatusForbidden {
		c.errorPage(pr.StatusCode, nil, nil)
		return
	}
	if c.site.listings == "" && c.site.index == "" {
		if c.webMode {
			middleware.Error(c.w, c.r, http.StatusNotFound, "")
			return
		}
		c.s.next.ServeHTTP(c.w, c.r)
		return
	}
	if !strings.HasSuffix(c.r.URL.Path, "/") {
		c.redirectSlash()
		return
	}
	if c.site.index == "" {
		c.listing("")
		return
	}
	resp := c.get(c.r.URL.Path+c.site.index, "")
	switch {
	case resp.StatusCode == http.StatusNotFound:
		middleware.Drain(resp)
		c.listing("")
	case resp.StatusCode/100 != 2 && resp.StatusCode/100 != 3:
		middleware.Drain(resp)
		c.errorPage(resp.StatusCode, nil, nil)
	default:
		c.relay(resp, resp.StatusCode)
	}
}

func (c *call) object() {
	dirType := c.site.dirType
	if dirType == "" {
		dirType = "application/directory"
	}
	web := c.site.listings != "" || c.site.index != ""
	hook := &middleware.HeaderHook{ResponseWriter: c.w}
	hook.Hook = func(status int, h http.Header) bool {
		if status/100 == 2 || status/100 == 3 {
			n, _ := strconv.ParseInt(h.Get("Content-Length"), 10, 64)
			// A directory marker stands for its directory.
			return !(h.Get("Content-Type") == dirType && n <= 1 && web)
		}
		return status != http.StatusNotFound || !web
	}
	c.s.next.ServeHTTP(hook, c.r)
	if !hook.Dropped() {
		return
	}
	if c.site.index != "" {
		p := c.r.URL.Path
		if !strings.HasSuffix(p, "/") {
			p += "/"
		}
		resp := c.get(p+c.site.index, "")
		if resp.StatusCode/100 == 2 || resp.StatusCode/100 == 3 {
			if !strings.HasSuffix(c.r.URL.Path, "/") {
				middleware.Drain(resp)
				c.redirectSlash()
				return
			}
			c.relay(resp, resp.StatusCode)
			return
		}
		middleware.Drain(resp)
		if resp.StatusCode != http.StatusNotFound {
			c.errorPage(resp.StatusCode, nil, nil)
			return
		}
	}
	if !strings.HasSuffix(c.r.URL.Path, "/") {
		q := "format=json&limit=1&delimiter=/&prefix=" + swift.Quote(c.p.Object+"/", "")
		resp := c.get(c.p.ContainerPath(), q)
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		var list []any
		if resp.StatusCode/100 != 2 || json.Unmarshal(body, &list) != nil || len(list) == 0 {
			c.errorPage(http.StatusNotFound, nil, nil)
			return
		}
		c.redirectSlash()
		return
	}
	c.listing(c.p.Object)
}

// entry is an item of a JSON container listing.
type entry struct {
	Subdir       string `json:"subdir"`
	Name         string `json:"name"`
	Bytes        int64  `json:"bytes"`
	ContentType  string `json:"content_type"`
	LastModified string `json:"last_modified"`
}

// listing renders the HTML listing of prefix, as Swift's _listing.
func (c *call) listing(prefix string) {
	label := c.r.URL.Path
	if c.site.label != "" {
		groups := strings.Split(c.r.URL.Path, "/")
		rest := ""
		if len(groups) > 4 {
			rest = strings.Join(groups[4:], "/")
		}
		label = c.site.label + "/" + rest
	}
	hdr := http.Header{"Content-Type": {"text/html; charset=UTF-8"}}
	if !swift.TrueValue(c.site.listings) {
		var b strings.Builder
		b.WriteString("<!DOCTYPE html>\n<html>\n<head>\n<title>Listing of " + html.EscapeString(label) + "</title>\n")
		if c.site.css != "" {
			b.WriteString(`  <link rel="stylesheet" type="text/css" href="` + c.cssPath(prefix) + `" />` + "\n")
		} else {
			b.WriteString("  <style type=\"text/css\">\n   h1 {font-size: 1em; font-weight: bold;}\n   p {font-size: 2}\n  </style>\n")
		}
		b.WriteString("</head>\n<body>  <h1>Web Listing Disabled</h1>   <p>The owner of this web site has disabled web listing.   <p>If you are the owner of this web site, you can enable   web listing by setting X-Container-Meta-Web-Listings.</p>")
		if c.site.index != "" {
			b.WriteString("<h1>Index File Not Found</h1> <p>The owner of this web site has set  <b>X-Container-Meta-Web-Index: " + c.site.index + "</b>.  However, this file is not found.</p>")
		}
		b.WriteString(" </body>\n</html>\n")
		c.errorPage(http.StatusNotFound, hdr, []byte(b.String()))
		return
	}
	q := "format=json&delimiter=/"
	if prefix != "" {
		q += "&prefix=" + swift.Quote(prefix, "")
	}
	req := middleware.NewRequest(c.r.Context(), http.MethodGet, c.p.ContainerPath(), q, nil)
	for _, k := range []string{"X-Auth-Token", "Referer"} {
		if v := c.r.Header.Get(k); v != "" {
			req.Header.Set(k, v)
		}
	}
	resp := middleware.Do(c.r.Context(), c.s.next, req)
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		c.errorPage(resp.StatusCode, nil, nil)
		return
	}
	var list []entry
	if len(body) > 0 {
		if err := json.Unmarshal(body, &list); err != nil {
			middleware.Error(c.w, c.r, http.StatusInternalServerError, "")
			return
		}
	}
	if prefix != "" && len(list) == 0 {
		c.errorPage(http.StatusNotFound, nil, nil)
		return
	}
	qs, tempPrefix := c.tempurlQuery()
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html>\n <head>\n  <title>Listing of " + html.EscapeString(label) + "</title>\n")
	if c.site.css != "" {
		b.WriteString(`  <link rel="stylesheet" type="text/css" href="` + c.cssPath(prefix) + `" />` + "\n")
	} else {
		b.WriteString("  <style type=\"text/css\">\n   h1 {font-size: 1em; font-weight: bold;}\n   th {text-align: left; padding: 0px 1em 0px 1em;}\n   td {padding: 0px 1em 0px 1em;}\n   a {text-decoration: none;}\n  </style>\n")
	}
	b.WriteString(" </head>\n <body>\n  <h1 id=\"title\">Listing of " + html.EscapeString(label) + "</h1>\n  <table id=\"listing\">\n   <tr id=\"heading\">\n    <th class=\"colname\">Name</th>\n    <th class=\"colsize\">Size</th>\n    <th class=\"coldate\">Date</th>\n   </tr>\n")
	if len(prefix) > len(tempPrefix) {
		b.WriteString("   <tr id=\"parent\" class=\"item\">\n    <td class=\"colname\"><a href=\"../" + qs + "\">../</a></td>\n    <td class=\"colsize\">&nbsp;</td>\n    <td class=\"coldate\">&nbsp;</td>\n   </tr>\n")
	}
	link := func(s string) string { return strings.ReplaceAll(swift.Quote(s, "/"), ".", "%2E") + qs }
	for _, it := range list {
		if it.Subdir == "" {
			continue
		}
		sub := strings.TrimPrefix(it.Subdir, prefix)
		fmt.Fprintf(&b, "   <tr class=\"item subdir\">\n    <td class=\"colname\"><a href=\"./%s\">%s</a></td>\n    <td class=\"colsize\">&nbsp;</td>\n    <td class=\"coldate\">&nbsp;</td>\n   </tr>\n",
			link(sub), html.EscapeString(sub))
	}
	for _, it := range list {
		if it.Name == "" {
			continue
		}
		name := strings.TrimPrefix(it.Name, prefix)
		var types []string
		for _, t := range strings.Split(it.ContentType, "/") {
			types = append(types, "type-"+html.EscapeString(strings.ToLower(t)))
		}
		lm, _, _ := strings.Cut(html.EscapeString(it.LastModified), ".")
		fmt.Fprintf(&b, "   <tr class=\"item %s\">\n    <td class=\"colname\"><a href=\"./%s\">%s</a></td>\n    <td class=\"colsize\">%s</td>\n    <td class=\"coldate\">%s</td>\n   </tr>\n",
			strings.Join(types, " "), link(name), html.EscapeString(name), humanReadable(it.Bytes), strings.Replace(lm, "T", " ", 1))
	}
	b.WriteString("  </table>\n </body>\n</html>\n")
	out := c.w.Header()
	out.Set("Content-Type", "text/html; charset=UTF-8")
	out.Set("X-Backend-Content-Generator", "staticweb")
	out.Set("Content-Length", strconv.Itoa(b.Len()))
	c.w.WriteHeader(http.StatusOK)
	if c.r.Method != http.MethodHead {
		_, _ = io.WriteString(c.w, b.String())
	}
}

// tempurlQuery returns the query links in a listing served through a
// temp URL with a prefix must carry, and that prefix.
func (c *call) tempurlQuery() (string, string) {
	if !swift.Authorized(c.r.Context()) {
		return "", ""
	}
	q := c.r.URL.Query()
	prefix, ok := q["temp_url_prefix"]
	if !ok {
		return "", ""
	}
	parts := []string{
		"temp_url_prefix=" + swift.Quote(prefix[0], "/"),
		"temp_url_expires=" + swift.Quote(q.Get("temp_url_expires"), "/"),
		"temp_url_sig=" + q.Get("temp_url_sig"),
	}
	if ip := q.Get("temp_url_ip_range"); ip != "" {
		parts = append(parts, "temp_url_ip_range="+swift.Quote(ip, "/"))
	}
	if _, ok := q["inline"]; ok {
		parts = append(parts, "inline")
	}
	return "?" + strings.Join(parts, "&amp;"), prefix[0]
}

// cssPath is the listing's stylesheet link relative to prefix.
func (c *call) cssPath(prefix string) string {
	css := c.site.css
	if strings.HasPrefix(css, "/") || strings.HasPrefix(css, "http://") || strings.HasPrefix(css, "https://") {
		return swift.Quote(css, ":/")
	}
	return strings.Repeat("../", strings.Count(prefix, "/")) + swift.Quote(css, "/")
}

// humanReadable formats a size as Swift's human_readable: 1023, 1Ki,
// 5Mi (rounding half to even at each step, as Python's round).
func humanReadable(n int64) string {
	v := float64(n)
	const suffixes = "KMGTPEZY"
	i := -1
	for v >= 1024 && i+1 < len(suffixes) {
		i++
		v = math.RoundToEven(v / 1024)
	}
	if i < 0 {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatInt(int64(math.RoundToEven(v)), 10) + string(suffixes[i]) + "i"
}
