// Package scheduler picks the pool of a new volume, as Cinder's filter
// scheduler does: filters drop the pools that cannot take the volume,
// a weigher orders the rest, the first wins. It is a pure function of
// the request, the pools the agents reported and their services.
//
//	pools ─► service up, enabled, not frozen
//	      ─► availability zone
//	      ─► same host as (clones, volumes from snapshots)
//	      ─► capabilities (volume_backend_name, the type's extra specs)
//	      ─► capacity (free less the reserved percentage ≥ size)
//	      ─► weigher: most free first ─► "host@backend#pool"
package scheduler

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// NoValidBackend is Cinder's answer when no pool fits.
func NoValidBackend(reason string) *apierr.Error {
	msg := "No valid backend was found."
	if reason != "" {
		msg += " " + reason
	}
	return apierr.New(400, "%s", msg).WithType("NoValidBackend")
}

// Pick returns the name of the pool the volume goes to.
func Pick(req blockstorage.ScheduleRequest, pools []*blockstorage.Pool, services []*blockstorage.VolumeService) (string, error) {
	svcs := map[string]*blockstorage.VolumeService{}
	for _, s := range services {
		if s.Binary == blockstorage.BinaryVolume {
			svcs[s.Host] = s
		}
	}
	type cand struct {
		pool *blockstorage.Pool
		free float64
	}
	var cands []cand
	reason := ""
	for _, p := range pools {
		host := blockstorage.ServiceHost(p.Name)
		s := svcs[host]
		var why string
		switch {
		case s == nil || !s.Up || s.Status != "enabled" || s.Frozen:
			why = "No volume service is up and enabled."
		case req.Zone != "" && p.Zone != req.Zone:
			why = fmt.Sprintf("No pool is in availability zone %s.", req.Zone)
		case req.SameHostAs != "" && host != blockstorage.ServiceHost(req.SameHostAs):
			why = "The source's backend cannot take it."
		case !Matches(p, req.TypeExtraSpecs):
			why = "No pool has the capabilities of the volume type."
		}
		free := Free(p)
		if why == "" && free < float64(req.SizeGB) {
			why = fmt.Sprintf("Insufficient free space for volume creation (requested / avail): %d/%s.",
				req.SizeGB, strconv.FormatFloat(free, 'f', -1, 64))
		}
		if why != "" {
			reason = why
			continue
		}
		cands = append(cands, cand{p, free})
	}
	if len(cands) == 0 {
		return "", NoValidBackend(reason)
	}
	slices.SortStableFunc(cands, func(a, b cand) int {
		if c := cmp.Compare(b.free, a.free); c != 0 {
			return c
		}
		return cmp.Compare(a.pool.Name, b.pool.Name)
	})
	return cands[0].pool.Name, nil
}

// Free is what a pool can still give: its free space less the reserved
// percentage of its total (Cinder's reserved_percentage).
func Free(p *blockstorage.Pool) float64 {
	reserved := 0.0
	switch r := p.Capabilities["reserved_percentage"].(type) {
	case float64:
		reserved = r
	case int:
		reserved = float64(r)
	}
	return p.FreeGB - p.TotalGB*reserved/100
}

// Matches is Cinder's capabilities filter: every extra spec without a
// scope or with the scope "capabilities" must be met by the pool's
// capability of that name (volume_backend_name by the pool's backend);
// other scopes (qos:, hw:, ...) are for others.
func Matches(p *blockstorage.Pool, specs map[string]string) bool {
	for k, want := range specs {
		key := k
		if i := strings.IndexByte(k, ':'); i >= 0 {
			if k[:i] != "capabilities" {
				continue
			}
			key = k[i+1:]
		}
		var have any
		switch key {
		case "volume_backend_name":
			have = p.Backend
		default:
			v, ok := p.Capabilities[key]
			if !ok {
				// Cinder passes the flags it handles elsewhere when no
				// driver reports them.
				if key == "multiattach" || key == "RESKEY:availability_zones" || key == "replication_enabled" {
					if key == "multiattach" && isTrue(want) {
						return false
					}
					continue
				}
				return false
			}
			have = v
		}
		if !satisfies(have, want) {
			return false
		}
	}
	return true
}

func isTrue(spec string) bool {
	f := strings.Fields(spec)
	return len(f) == 2 && f[0] == "<is>" && strings.EqualFold(f[1], "true")
}

// satisfies evaluates one extra spec against a capability: the
// operators of Cinder's extra_specs_ops ("<is> True", "<in> x", "<or> a
// <or> b", ">= 10", "s== x", ...) or plain equality.
func satisfies(have any, spec string) bool {
	hs := fmt.Sprint(have)
	f := strings.Fields(spec)
	if len(f) == 0 {
		return hs == spec
	}
	switch op := f[0]; op {
	case "<is>":
		b, ok := have.(bool)
		if !ok {
			b = strings.EqualFold(hs, "true")
		}
		return len(f) == 2 && b == strings.EqualFold(f[1], "true")
	case "<in>":
		return strings.Contains(hs, strings.TrimSpace(strings.TrimPrefix(spec, "<in>")))
	case "<or>":
		for _, alt := range strings.Split(spec, "<or>") {
			if strings.TrimSpace(alt) == hs {
				return true
			}
		}
		return false
	case "s==", "s!=", "s>=", "s<=", "s>", "s<":
		want := strings.TrimSpace(strings.TrimPrefix(spec, op))
		c := strings.Compare(hs, want)
		return map[string]bool{"s==": c == 0, "s!=": c != 0, "s>=": c >= 0, "s<=": c <= 0, "s>": c > 0, "s<": c < 0}[op]
	case "=", "==", "!=", ">=", "<=":
		if len(f) != 2 {
			return false
		}
		h, err1 := strconv.ParseFloat(hs, 64)
		w, err2 := strconv.ParseFloat(f[1], 64)
		if err1 != nil || err2 != nil {
			return false
		}
		// Cinder's "=" means "at least", as for Nova's flavors.
		return map[string]bool{"=": h >= w, "==": h == w, "!=": h != w, ">=": h >= w, "<=": h <= w}[op]
	}
	return hs == spec
}
