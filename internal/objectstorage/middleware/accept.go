package middleware

import (
	"errors"
	"sort"
	"strconv"
	"strings"
)

// errBadAccept is what BestMatch returns for an Accept header swob would
// refuse to parse.
var errBadAccept = errors.New("invalid accept header")

// BestMatch returns the option that best matches an Accept header, as
// swob's Accept.best_match does: an empty header takes the first option;
// candidates are ranked by q value, then exact types before wildcards,
// then header order; "" when nothing matches. A malformed header is an
// error (each middleware decides what that means, as in Swift).
func BestMatch(accept string, options []string) (string, error) {
	if strings.TrimSpace(accept) == "" {
		if len(options) == 0 {
			return "", nil
		}
		return options[0], nil
	}
	type cand struct {
		typ, sub string
		q        float64
		exact    bool
	}
	var cands []cand
	for _, item := range strings.Split(accept, ",") {
		params := strings.Split(item, ";")
		mt := strings.TrimSpace(params[0])
		typ, sub, ok := strings.Cut(mt, "/")
		if !ok || !isToken(typ) || !isToken(sub) {
			return "", errBadAccept
		}
		q, seenQ := 1.0, false
		for _, p := range params[1:] {
			p = strings.TrimSpace(p)
			if p == "" {
				continue
			}
			name, value, ok := strings.Cut(p, "=")
			if !ok {
				return "", errBadAccept
			}
			if strings.TrimSpace(name) == "q" {
				if seenQ {
					return "", errBadAccept
				}
				seenQ = true
				v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
				if err != nil {
					return "", errBadAccept
				}
				q = v
			}
		}
		cands = append(cands, cand{typ, sub, q, typ != "*" && sub != "*"})
	}
	sort.SliceStable(cands, func(i, j int) bool {
		if cands[i].q != cands[j].q {
			return cands[i].q > cands[j].q
		}
		return cands[i].exact && !cands[j].exact
	})
	for _, c := range cands {
		for _, o := range options {
			ot, os, _ := strings.Cut(o, "/")
			if (c.typ == "*" || c.typ == ot) && (c.sub == "*" || c.sub == os) {
				return o, nil
			}
		}
	}
	return "", nil
}

// isToken reports whether s is an RFC 2616 token (or "*").
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= 0x20 || c == 0x7f || strings.IndexByte(`()<>@,;:\"/[]?={}`, c) >= 0 {
			return false
		}
	}
	return true
}
