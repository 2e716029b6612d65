package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
)

// TestGabbits runs Placement's own gabbi files (placement/tests/
// functional/gabbits/*.yaml) against the in-process API, when
// GOSTACK_GABBITS names the directory that holds them; the files are
// not part of this repository, so the test is skipped otherwise.
// GOSTACK_GABBITS_ONLY, a comma-separated list of file names without
// .yaml, narrows the run. The runner understands the part of gabbi those
// files use: $ENVIRON, $RESPONSE, $HISTORY, $LAST_URL and $LOCATION
// substitutions, status alternatives, response_strings, response_headers,
// response_forbidden_headers and response_json_paths with the JSONPath
// subset they write. It is a conformance probe: what it finds is fixed
// and pinned by the table tests beside it.
func TestGabbits(t *testing.T) {
	dir := os.Getenv("GOSTACK_GABBITS")
	if dir == "" {
		t.Skip("GOSTACK_GABBITS is not set")
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	only := map[string]bool{}
	for _, n := range strings.Split(os.Getenv("GOSTACK_GABBITS_ONLY"), ",") {
		if n != "" {
			only[n] = true
		}
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".yaml")
		if len(only) > 0 && !only[name] {
			continue
		}
		t.Run(name, func(t *testing.T) { runGabbiFile(t, f) })
	}
}

type gabbiFile struct {
	Fixtures []string       `yaml:"fixtures"`
	Defaults map[string]any `yaml:"defaults"`
	Tests    []map[string]any
}

type gabbiRun struct {
	t       *testing.T
	base    string
	client  *http.Client
	env     map[string]string
	history map[string]*gabbiResult
	last    *gabbiResult
}

type gabbiResult struct {
	url    string
	status int
	header http.Header
	body   []byte
	json   any
}

func runGabbiFile(t *testing.T, path string) {
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var f gabbiFile
	if err := yaml.Unmarshal(raw, &f); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	srv := setup(t)
	g := &gabbiRun{t: t, base: srv.URL, client: srv.Client(), env: map[string]string{}, history: map[string]*gabbiResult{}}
	for _, k := range []string{"RP_UUID", "RP_NAME", "RP_UUID1", "RP_NAME1", "RP_UUID2", "RP_NAME2", "PROJECT_ID", "ADMIN_PROJECT_ID",
		"SERVICE_PROJECT_ID", "USER_ID", "PROJECT_ID_ALT", "USER_ID_ALT", "INSTANCE_UUID", "MIGRATION_UUID", "CONSUMER_UUID",
		"PARENT_PROVIDER_UUID", "ALT_PARENT_PROVIDER_UUID", "ALT_USER_ID", "ALT_RP_UUID", "ALT_RP_NAME"} {
		g.env[k] = uuid.NewString()
	}
	g.env["CUSTOM_RES_CLASS"] = "CUSTOM_IRON_NFV"
	g.env["CUSTOM_RES_CLASS1"] = "CUSTOM_IRON_NFV1"
	g.env["CUSTOM_RES_CLASS2"] = "CUSTOM_IRON_NFV2"
	for _, fx := range f.Fixtures {
		switch fx {
		case "APIFixture":
		case "AllocationFixture":
			g.allocationFixture()
		default:
			t.Skipf("fixture %s is not reproduced", fx)
		}
	}
	defHeaders, _ := f.Defaults["request_headers"].(map[string]any)
	for _, tc := range f.Tests {
		name := fmt.Sprint(tc["name"])
		if tc["xfail"] != nil || tc["skip"] != nil {
			continue
		}
		res, errs := g.runTest(tc, defHeaders)
		if res != nil {
			g.history[name] = res
			g.last = res
		}
		for _, e := range errs {
			t.Errorf("%s: %s", name, e)
		}
	}
}

// allocationFixture builds Placement's AllocationFixture through the API.
func (g *gabbiRun) allocationFixture() {
	g.env["CONSUMER_0"] = uuid.NewString()
	g.env["CONSUMER_ID"] = uuid.NewString()
	g.env["ALT_CONSUMER_ID"] = uuid.NewString()
	steps := []struct{ method, path, body string }{
		{"POST", "/resource_providers", `{"name":"` + g.env["RP_NAME"] + `","uuid":"` + g.env["RP_UUID"] + `"}`},
		// Two inventory writes and three allocations: the provider ends
		// at generation 5, as the fixture's does.
		{"POST", "/resource_providers/" + g.env["RP_UUID"] + "/inventories", `{"resource_provider_generation":0,"resource_class":"DISK_GB","total":2048,"step_size":10,"min_unit":10,"max_unit":1000}`},
		{"POST", "/resource_providers/" + g.env["RP_UUID"] + "/inventories", `{"resource_provider_generation":1,"resource_class":"VCPU","total":10,"max_unit":10}`},
		{"PUT", "/allocations/" + g.env["CONSUMER_0"], `{"allocations":{"` + g.env["RP_UUID"] + `":{"resources":{"DISK_GB":1000}}},"project_id":"` + g.env["PROJECT_ID"] + `","user_id":"` + g.env["USER_ID"] + `"}`},
		{"PUT", "/allocations/" + g.env["CONSUMER_ID"], `{"allocations":{"` + g.env["RP_UUID"] + `":{"resources":{"VCPU":6}}},"project_id":"` + g.env["PROJECT_ID"] + `","user_id":"` + g.env["USER_ID"] + `"}`},
		{"PUT", "/allocations/" + g.env["ALT_CONSUMER_ID"], `{"allocations":{"` + g.env["RP_UUID"] + `":{"resources":{"DISK_GB":20,"VCPU":1}}},"project_id":"` + g.env["PROJECT_ID"] + `","user_id":"` + g.env["ALT_USER_ID"] + `"}`},
	}
	for _, s := range steps {
		req, _ := http.NewRequest(s.method, g.base+s.path, strings.NewReader(s.body))
		req.Header.Set("X-Auth-Token", "admin")
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("OpenStack-API-Version", "placement 1.20")
		resp, err := g.client.Do(req)
		if err != nil {
			g.t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 300 {
			g.t.Fatalf("fixture %s %s: %d %s", s.method, s.path, resp.StatusCode, b)
		}
	}
}

var gabbiMethods = []string{"GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS"}

func (g *gabbiRun) runTest(tc map[string]any, defHeaders map[string]any) (*gabbiResult, []string) {
	method, url := "", ""
	for _, m := range gabbiMethods {
		if u, ok := tc[m]; ok {
			method, url = m, fmt.Sprint(u)
		}
	}
	if method == "" {
		method = "GET"
		if m, ok := tc["method"]; ok {
			method = fmt.Sprint(m)
		}
		url = fmt.Sprint(tc["url"])
	}
	url = g.subst(url, false).(string)
	if qp, ok := tc["query_parameters"].(map[string]any); ok {
		var parts []string
		for _, k := range sortedAnyKeys(qp) {
			parts = append(parts, k+"="+fmt.Sprint(g.subst(fmt.Sprint(qp[k]), false)))
		}
		sep := "?"
		if strings.Contains(url, "?") {
			sep = "&"
		}
		url += sep + strings.Join(parts, "&")
	}
	headers := map[string]string{}
	for k, v := range defHeaders {
		headers[strings.ToLower(k)] = fmt.Sprint(v)
	}
	if h, ok := tc["request_headers"].(map[string]any); ok {
		for k, v := range h {
			headers[strings.ToLower(k)] = fmt.Sprint(g.subst(fmt.Sprint(v), false))
		}
	}
	var body io.Reader
	if data, ok := tc["data"]; ok {
		switch d := data.(type) {
		case string:
			s := g.subst(d, false)
			if str, ok := s.(string); ok {
				body = strings.NewReader(str)
			} else {
				b, _ := json.Marshal(s)
				body = bytes.NewReader(b)
			}
		default:
			b, err := json.Marshal(g.substAll(d))
			if err != nil {
				return nil, []string{"data: " + err.Error()}
			}
			body = bytes.NewReader(b)
		}
	}
	full := url
	if !strings.HasPrefix(full, "http") {
		full = g.base + url
	}
	req, err := http.NewRequest(method, full, body)
	if err != nil {
		return nil, []string{err.Error()}
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := g.client.Do(req)
	if err != nil {
		return nil, []string{err.Error()}
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	res := &gabbiResult{url: url, status: resp.StatusCode, header: resp.Header, body: b}
	_ = json.Unmarshal(b, &res.json)

	var errs []string
	want := "200"
	if s, ok := tc["status"]; ok {
		want = fmt.Sprint(s)
	}
	okStatus := false
	for _, s := range strings.Split(want, "||") {
		if strings.TrimSpace(s) == strconv.Itoa(res.status) {
			okStatus = true
		}
	}
	if !okStatus {
		errs = append(errs, fmt.Sprintf("%s %s: status %d, want %s; body %s", method, url, res.status, want, trunc(b)))
	}
	// Later substitutions in this test's expectations see this answer.
	prev := g.last
	g.last = res
	defer func() { g.last = prev }()
	if rs, ok := tc["response_strings"].([]any); ok {
		for _, s := range rs {
			str := fmt.Sprint(g.subst(fmt.Sprint(s), false))
			if !strings.Contains(string(b), str) && !(strings.HasPrefix(str, "/") && matchString(str, string(b))) {
				errs = append(errs, fmt.Sprintf("%s %s: body lacks %q: %s", method, url, str, trunc(b)))
			}
		}
	}
	if rh, ok := tc["response_headers"].(map[string]any); ok {
		for k, v := range rh {
			got := res.header.Get(k)
			want := fmt.Sprint(g.subst(fmt.Sprint(v), false))
			if !matchString(want, got) {
				errs = append(errs, fmt.Sprintf("%s %s: header %s = %q, want %q", method, url, k, got, want))
			}
		}
	}
	if fh, ok := tc["response_forbidden_headers"].([]any); ok {
		for _, k := range fh {
			if _, present := res.header[http.CanonicalHeaderKey(fmt.Sprint(k))]; present {
				errs = append(errs, fmt.Sprintf("%s %s: forbidden header %s present", method, url, k))
			}
		}
	}
	if jp, ok := tc["response_json_paths"].(map[string]any); ok {
		for _, p := range sortedAnyKeys(jp) {
			path := fmt.Sprint(g.subst(p, false))
			got, err := jsonPath(res.json, path)
			if err != nil {
				errs = append(errs, fmt.Sprintf("%s %s: %s: %v; body %s", method, url, path, err, trunc(b)))
				continue
			}
			want := g.substAll(jp[p])
			if s, ok := want.(string); ok && len(s) > 1 && strings.HasPrefix(s, "/") && strings.HasSuffix(s, "/") {
				if !matchString(s, stringify(got)) {
					errs = append(errs, fmt.Sprintf("%s %s: %s = %v, want %s", method, url, path, got, s))
				}
				continue
			}
			want = normJSON(want)
			if !cmp.Equal(normJSON(got), want) {
				errs = append(errs, fmt.Sprintf("%s %s: %s = %v, want %v", method, url, path, got, want))
			}
		}
	}
	return res, errs
}

func trunc(b []byte) string {
	if len(b) > 600 {
		return string(b[:600]) + "…"
	}
	return string(b)
}

func stringify(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func matchString(want, got string) bool {
	if len(want) > 1 && strings.HasPrefix(want, "/") && strings.HasSuffix(want, "/") {
		re, err := regexp.Compile(want[1 : len(want)-1])
		return err == nil && re.MatchString(got)
	}
	return want == got
}

func normJSON(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}

func sortedAnyKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// substAll substitutes in every string of a YAML value, keys included.
func (g *gabbiRun) substAll(v any) any {
	switch x := v.(type) {
	case string:
		return g.subst(x, true)
	case map[string]any:
		out := map[string]any{}
		for k, val := range x {
			out[fmt.Sprint(g.subst(k, false))] = g.substAll(val)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i := range x {
			out[i] = g.substAll(x[i])
		}
		return out
	}
	return v
}

var gabbiSubstRE = regexp.MustCompile(`\$HISTORY\[(?:'([^']*)'|"([^"]*)")\]\.\$RESPONSE\[(?:'([^']*)'|"([^"]*)")\]|\$RESPONSE\[(?:'([^']*)'|"([^"]*)")\]|\$ENVIRON\[(?:'([^']*)'|"([^"]*)")\]|\$LAST_URL|\$LOCATION`)

// subst replaces gabbi's templates in s. A string that is one template
// whole keeps the type of what it names when typed is set, as gabbi
// casts it.
func (g *gabbiRun) subst(s string, typed bool) any {
	if m := gabbiSubstRE.FindStringSubmatchIndex(s); typed && m != nil && m[0] == 0 && m[1] == len(s) {
		return g.resolve(s[m[0]:m[1]])
	}
	// Inner templates first: $ENVIRON inside a $HISTORY path.
	for range 3 {
		s = gabbiSubstRE.ReplaceAllStringFunc(s, func(tpl string) string {
			if strings.HasPrefix(tpl, "$HISTORY") || strings.HasPrefix(tpl, "$RESPONSE") {
				if strings.Contains(tpl[1:], "$ENVIRON") {
					return tpl
				}
			}
			return stringify(g.resolve(tpl))
		})
		s = regexp.MustCompile(`\$ENVIRON\[(?:'([^']*)'|"([^"]*)")\]`).ReplaceAllStringFunc(s, func(tpl string) string {
			return stringify(g.resolve(tpl))
		})
	}
	return s
}

func (g *gabbiRun) resolve(tpl string) any {
	m := gabbiSubstRE.FindStringSubmatch(tpl)
	first := func(a, b string) string {
		if a != "" {
			return a
		}
		return b
	}
	switch {
	case tpl == "$LAST_URL":
		if g.last != nil {
			return g.last.url
		}
		return ""
	case tpl == "$LOCATION":
		if g.last != nil {
			loc := g.last.header.Get("Location")
			return strings.TrimPrefix(loc, g.base)
		}
		return ""
	case strings.HasPrefix(tpl, "$ENVIRON"):
		return g.env[first(m[7], m[8])]
	case strings.HasPrefix(tpl, "$RESPONSE"):
		if g.last == nil {
			return nil
		}
		v, _ := jsonPath(g.last.json, first(m[5], m[6]))
		return v
	case strings.HasPrefix(tpl, "$HISTORY"):
		h := g.history[first(m[1], m[2])]
		if h == nil {
			return nil
		}
		v, _ := jsonPath(h.json, first(m[3], m[4]))
		return v
	}
	return tpl
}

// jsonPath evaluates the subset of jsonpath-rw the gabbi files use:
// $, .name, ['name'], ["name"], [name], [N], [?key = "value"], .`len`
// and .`sorted`. A filter yields its one match, or the list of them.
func jsonPath(doc any, path string) (any, error) {
	path = strings.TrimSpace(path)
	path = strings.TrimPrefix(path, "$")
	cur := []any{doc}
	multi := false
	for len(path) > 0 {
		var seg string
		switch {
		case strings.HasPrefix(path, ".`"):
			end := strings.Index(path[2:], "`")
			if end < 0 {
				return nil, fmt.Errorf("bad path %q", path)
			}
			fn := path[2 : 2+end]
			path = path[3+end:]
			var next []any
			for _, c := range cur {
				switch fn {
				case "len":
					switch x := c.(type) {
					case []any:
						next = append(next, float64(len(x)))
					case map[string]any:
						next = append(next, float64(len(x)))
					case string:
						next = append(next, float64(len(x)))
					default:
						return nil, fmt.Errorf("len of %T", c)
					}
				case "sorted":
					switch x := c.(type) {
					case []any:
						s := append([]any(nil), x...)
						sort.Slice(s, func(i, j int) bool { return stringify(s[i]) < stringify(s[j]) })
						next = append(next, s)
					case map[string]any:
						var ks []any
						for _, k := range sortedAnyKeys(x) {
							ks = append(ks, k)
						}
						next = append(next, ks)
					}
				default:
					return nil, fmt.Errorf("function %s", fn)
				}
			}
			cur = next
			continue
		case strings.HasPrefix(path, ".["):
			path = path[1:]
			continue
		case strings.HasPrefix(path, "."):
			i := 1
			for i < len(path) && path[i] != '.' && path[i] != '[' {
				i++
			}
			seg, path = path[1:i], path[i:]
			cur = field(cur, seg)
		case strings.HasPrefix(path, "["):
			end := closingBracket(path)
			if end < 0 {
				return nil, fmt.Errorf("bad path %q", path)
			}
			inner := strings.TrimSpace(path[1:end])
			path = path[end+1:]
			switch {
			case strings.HasPrefix(inner, "?"):
				expr := strings.TrimSpace(inner[1:])
				eq := strings.Index(expr, "=")
				k := strings.TrimSpace(expr[:eq])
				v := strings.Trim(strings.TrimSpace(expr[eq+1:]), `"'`)
				var next []any
				for _, c := range cur {
					if l, ok := c.([]any); ok {
						for _, e := range l {
							if m, ok := e.(map[string]any); ok && stringify(m[k]) == v {
								next = append(next, e)
							}
						}
					}
				}
				cur = next
				multi = true
			case len(inner) > 1 && (inner[0] == '\'' || inner[0] == '"'):
				cur = field(cur, inner[1:len(inner)-1])
			default:
				if n, err := strconv.Atoi(inner); err == nil {
					var next []any
					for _, c := range cur {
						if l, ok := c.([]any); ok {
							if n < 0 {
								n += len(l)
							}
							if n >= 0 && n < len(l) {
								next = append(next, l[n])
							}
						}
					}
					cur = next
				} else {
					cur = field(cur, inner)
				}
			}
		default:
			i := 0
			for i < len(path) && path[i] != '.' && path[i] != '[' {
				i++
			}
			seg, path = path[:i], path[i:]
			cur = field(cur, seg)
		}
	}
	switch {
	case len(cur) == 0:
		return nil, fmt.Errorf("no match")
	case len(cur) == 1:
		return cur[0], nil
	case multi:
		return cur, nil
	}
	return cur, nil
}

func closingBracket(s string) int {
	quote := byte(0)
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == ']':
			return i
		}
	}
	return -1
}

func field(cur []any, name string) []any {
	var next []any
	for _, c := range cur {
		if m, ok := c.(map[string]any); ok {
			if v, ok := m[name]; ok {
				next = append(next, v)
			}
		}
	}
	return next
}
