// Package acl holds Swift's container ACLs (X-Container-Read and
// X-Container-Write: referrer designations, .rlistings and
// project:user groups) and keystoneauth's authorization rule that decides
// from a caller's roles and a container's ACL whether a request may go on.
package acl

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/gostack/gostack/internal/platform/pyfmt"
)

// Clean validates and normalizes an ACL header value as Swift's clean_acl:
// items are trimmed and empty ones dropped, referrer designations
// (.r, .ref, .referer, .referrer) become ".r:<host>", and bad items are an
// error whose text Swift sends in its 400.
func Clean(name, value string) (string, error) {
	name = strings.ToLower(name)
	var out []string
	for raw := range strings.SplitSeq(value, ",") {
		raw = strings.TrimSpace(raw)
		if raw == "" {
			continue
		}
		first, second, found := strings.Cut(raw, ":")
		if !found {
			out = append(out, raw)
			continue
		}
		first, second = strings.TrimSpace(first), strings.TrimSpace(second)
		if first == "" || !strings.HasPrefix(first, ".") {
			out = append(out, raw)
			continue
		}
		switch first {
		case ".r", ".ref", ".referer", ".referrer":
		default:
			return "", fmt.Errorf("Unknown designator %s in ACL: %s", pyfmt.Quote(first), pyfmt.Quote(raw))
		}
		if strings.Contains(name, "write") {
			return "", fmt.Errorf("Referrers not allowed in write ACL: %s", pyfmt.Quote(raw))
		}
		negate := false
		if strings.HasPrefix(second, "-") {
			negate = true
			second = strings.TrimSpace(second[1:])
		}
		if second != "" && second != "*" && strings.HasPrefix(second, "*") {
			second = strings.TrimSpace(second[1:])
		}
		if second == "" || second == "." {
			return "", fmt.Errorf("No host/domain value after referrer designation in ACL: %s", pyfmt.Quote(raw))
		}
		if negate {
			second = "-" + second
		}
		out = append(out, ".r:"+second)
	}
	return strings.Join(out, ","), nil
}

// Parse splits a cleaned ACL into its referrer designations (without
// ".r:") and its groups, as Swift's parse_acl (version 1).
func Parse(s string) (referrers, groups []string) {
	if s == "" {
		return nil, nil
	}
	for v := range strings.SplitSeq(s, ",") {
		if r, ok := strings.CutPrefix(v, ".r:"); ok {
			referrers = append(referrers, r)
			continue
		}
		if u, err := url.PathUnescape(v); err == nil {
			v = u
		}
		groups = append(groups, v)
	}
	return referrers, groups
}

// ReferrerAllowed reports whether the Referer header value passes the
// referrer designations, applied in order as Swift's referrer_allowed: "*"
// or a host or a ".domain" allows, a "-" prefix denies.
func ReferrerAllowed(referrer string, acl []string) bool {
	if len(acl) == 0 {
		return false
	}
	host := "unknown"
	if u, err := url.Parse(referrer); err == nil && u.Hostname() != "" {
		host = strings.ToLower(u.Hostname())
	}
	allow := false
	for _, m := range acl {
		if neg, ok := strings.CutPrefix(m, "-"); ok {
			if neg == host || (strings.HasPrefix(neg, ".") && strings.HasSuffix(host, neg)) {
				allow = false
			}
			continue
		}
		if m == "*" || m == host || (strings.HasPrefix(m, ".") && strings.HasSuffix(host, m)) {
			allow = true
		}
	}
	return allow
}
