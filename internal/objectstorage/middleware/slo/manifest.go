package slo

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/gostack/gostack/internal/objectstorage/middleware"
)

// Input is one segment of a manifest as a client PUTs it: an object
// ("path", with optional "etag", "size_bytes" and "range") or inline
// base64 "data".
type Input struct {
	Path      string
	ETag      *string
	SizeBytes *int64
	Range     string // "a-b", "a-" or "-n", as given
	Data      []byte // decoded inline data
	IsData    bool
}

// Stored is one segment as Swift stores it in the manifest object: the
// JSON keys and their order are Swift's, so ?multipart-manifest=get
// returns what Swift would.
type Stored struct {
	Name         string `json:"name,omitempty"`
	Bytes        int64  `json:"bytes"`
	Hash         string `json:"hash"`
	ContentType  string `json:"content_type"`
	LastModified string `json:"last_modified"`
	Range        string `json:"range,omitempty"`
	SubSLO       bool   `json:"sub_slo,omitempty"`
	// Data is an inline segment, base64; it is stored alone.
	Data string `json:"-"`
}

// MarshalJSON writes an inline segment as {"data": ...} and an object
// segment with Swift's keys.
func (s Stored) MarshalJSON() ([]byte, error) {
	if s.Data != "" {
		return json.Marshal(struct {
			Data string `json:"data"`
		}{s.Data})
	}
	type plain Stored
	return json.Marshal(plain(s))
}

// UnmarshalJSON reads a stored segment; "bytes" may be a number or a
// string in manifests other tools wrote.
func (s *Stored) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	str := func(k string) string {
		var v string
		if m, ok := raw[k]; ok {
			_ = json.Unmarshal(m, &v)
		}
		return v
	}
	*s = Stored{Name: str("name"), Hash: str("hash"), ContentType: str("content_type"),
		LastModified: str("last_modified"), Range: str("range"), Data: str("data")}
	if m, ok := raw["bytes"]; ok {
		var n json.Number
		d := json.NewDecoder(bytes.NewReader(m))
		d.UseNumber()
		if d.Decode(&n) == nil {
			s.Bytes, _ = n.Int64()
		} else if v := str("bytes"); v != "" {
			s.Bytes, _ = strconv.ParseInt(v, 10, 64)
		}
	}
	if m, ok := raw["sub_slo"]; ok {
		var v any
		_ = json.Unmarshal(m, &v)
		switch t := v.(type) {
		case bool:
			s.SubSLO = t
		case string:
			s.SubSLO = trueValue(t)
		}
	}
	return nil
}

func trueValue(v string) bool {
	switch strings.ToLower(v) {
	case "true", "1", "yes", "on", "t", "y":
		return true
	}
	return false
}

// length is the number of bytes the segment adds to the large object.
func (s Stored) length() int64 {
	if s.Data != "" {
		d, _ := base64.StdEncoding.DecodeString(s.Data)
		return int64(len(d))
	}
	if s.Range != "" {
		a, b, _ := strings.Cut(s.Range, "-")
		x, _ := strconv.ParseInt(a, 10, 64)
		y, _ := strconv.ParseInt(b, 10, 64)
		return y - x + 1
	}
	return s.Bytes
}

// ParseInput parses and validates a manifest PUT body as Swift's
// parse_and_validate_input. reqPath is the manifest's own unescaped path
// ("/v1/a/c/o"), account its account. A non-nil error is the 400 body.
func ParseInput(body []byte, reqPath, account string) ([]Input, string) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var parsed any
	if err := dec.Decode(&parsed); err != nil || dec.More() {
		return nil, "Manifest must be valid JSON.\n"
	}
	list, ok := parsed.([]any)
	if !ok {
		return nil, "Manifest must be a list.\n"
	}
	var errs []string
	out := make([]Input, 0, len(list))
	for i, item := range list {
		seg, ok := item.(map[string]any)
		if !ok {
			errs = append(errs, fmt.Sprintf("Index %d: not a JSON object", i))
			continue
		}
		kind := ""
		if _, ok := seg["data"]; ok {
			kind = "data"
		} else if _, ok := seg["path"]; ok {
			kind = "path"
		}
		if kind == "" {
			errs = append(errs, fmt.Sprintf("Index %d: expected keys to include one of 'data' or 'path'", i))
			continue
		}
		allowed := map[string]bool{kind: true}
		if kind == "path" {
			allowed["range"], allowed["etag"], allowed["size_bytes"] = true, true, true
		}
		var extra []string
		for k := range seg {
			if !allowed[k] {
				extra = append(extra, string(middleware.PyJSON(k)))
			}
		}
		if len(extra) > 0 {
			sort.Strings(extra)
			errs = append(errs, fmt.Sprintf("Index %d: extraneous keys %s", i, strings.Join(extra, ", ")))
			continue
		}
		if kind == "data" {
			s, ok := seg["data"].(string)
			data, err := base64.StdEncoding.Strict().DecodeString(padB64(s))
			if !ok || err != nil {
				errs = append(errs, fmt.Sprintf("Index %d: data must be valid base64", i))
				continue
			}
			if len(data) < 1 {
				errs = append(errs, fmt.Sprintf("Index %d: too small; each segment must be at least 1 byte.", i))
				continue
			}
			out = append(out, Input{Data: data, IsData: true})
			continue
		}
		path, ok := seg["path"].(string)
		if !ok {
			errs = append(errs, fmt.Sprintf("Index %d: \"path\" must be a string", i))
			continue
		}
		in := Input{Path: path}
		if e, present := seg["etag"]; present && e != nil {
			s, ok := e.(string)
			if !ok {
				errs = append(errs, fmt.Sprintf("Index %d: \"etag\" must be a string or null (if provided)", i))
				continue
			}
			in.ETag = &s
		}
		if !strings.Contains(strings.Trim(path, "/"), "/") {
			errs = append(errs, fmt.Sprintf("Index %d: path does not refer to an object. Path must be of the form /container/object.", i))
			continue
		}
		if sz, present := seg["size_bytes"]; present && sz != nil {
			n, ok := pyInt(sz)
			if !ok {
				errs = append(errs, fmt.Sprintf("Index %d: invalid size_bytes", i))
				continue
			}
			if n < 1 && i != len(list)-1 {
				errs = append(errs, fmt.Sprintf("Index %d: too small; each segment must be at least 1 byte.", i))
				continue
			}
			in.SizeBytes = &n
		}
		if "/v1/"+account+"/"+strings.TrimLeft(path, "/") == reqPath {
			errs = append(errs, fmt.Sprintf("Index %d: manifest must not include itself as a segment", i))
			continue
		}
		if r, present := seg["range"]; present && r != nil && r != "" {
			rs, ok := r.(string)
			specs, valid := middleware.ParseRangeSpecs("bytes=" + rs)
			if !ok || !valid {
				errs = append(errs, fmt.Sprintf("Index %d: invalid range", i))
				continue
			}
			if specs > 1 {
				errs = append(errs, fmt.Sprintf("Index %d: multiple ranges (only one allowed)", i))
				continue
			}
			if in.SizeBytes != nil {
				if got, _ := middleware.Ranges("bytes="+rs, *in.SizeBytes); len(got) != 1 {
					errs = append(errs, fmt.Sprintf("Index %d: unsatisfiable range", i))
					continue
				}
			}
			in.Range = rs
		}
		out = append(out, in)
	}
	if len(out) > 0 && len(errs) == 0 {
		allData := true
		for _, in := range out {
			allData = allData && in.IsData
		}
		if allData {
			errs = append(errs, "Inline data segments require at least one object-backed segment.")
		}
	}
	if len(errs) > 0 {
		return nil, strings.Join(errs, "\n") + "\n"
	}
	return out, ""
}

// padB64 adds the padding Python's strict_b64decode tolerates missing.
func padB64(s string) string {
	if m := len(s) % 4; m != 0 {
		s += strings.Repeat("=", 4-m)
	}
	return s
}

// pyInt converts a JSON value as Python's int() would: integers,
// floats (truncated), booleans and strings of digits.
func pyInt(v any) (int64, bool) {
	switch t := v.(type) {
	case json.Number:
		if n, err := t.Int64(); err == nil {
			return n, true
		}
		f, err := t.Float64()
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return 0, false
		}
		return int64(f), true
	case bool:
		if t {
			return 1, true
		}
		return 0, true
	case string:
		n, err := strconv.ParseInt(strings.TrimSpace(t), 10, 64)
		return n, err == nil
	}
	return 0, false
}
