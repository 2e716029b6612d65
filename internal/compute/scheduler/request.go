package scheduler

import (
	"slices"
	"strconv"
	"strings"

	"github.com/gostack/gostack/internal/placement/client"
)

// Resource classes the flavor itself asks for.
const (
	classVCPU   = "VCPU"
	classMemory = "MEMORY_MB"
	classDisk   = "DISK_GB"
)

// resources returns what spec asks of Placement, as Nova's
// resources_from_request_spec does: the flavor's VCPU, MEMORY_MB and
// DISK_GB (root unless booting from volume, ephemeral, swap rounded up to
// GiB), then the flavor's resources:CLASS=N extra specs (0 removes a
// class). Zero amounts are left out.
func resources(spec *RequestSpec) map[string]int64 {
	f := &spec.Flavor
	disk := f.Ephemeral + (f.Swap+1023)/1024
	if !spec.BootFromVolume {
		disk += f.Disk
	}
	res := map[string]int64{classVCPU: f.VCPUs, classMemory: f.RAM, classDisk: disk}
	for k, v := range f.ExtraSpecs {
		rc, ok := strings.CutPrefix(k, "resources:")
		if !ok || rc == "" {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || n < 0 {
			continue // the API validates extra specs; ignore what it let by
		}
		res[rc] = n
	}
	for rc, n := range res {
		if n <= 0 {
			delete(res, rc)
		}
	}
	return res
}

// traits returns the required and forbidden ("!T") traits of the
// flavor's trait:T=required|forbidden extra specs and of the image's
// trait:T=required properties, sorted and without duplicates.
func traits(spec *RequestSpec) []string {
	var out []string
	for k, v := range spec.Flavor.ExtraSpecs {
		t, ok := strings.CutPrefix(k, "trait:")
		if !ok || t == "" {
			continue
		}
		switch strings.TrimSpace(v) {
		case "required":
			out = append(out, t)
		case "forbidden":
			out = append(out, "!"+t)
		}
	}
	if spec.Image != nil {
		for k, v := range spec.Image.Properties {
			if t, ok := strings.CutPrefix(k, "trait:"); ok && t != "" && strings.TrimSpace(v) == "required" {
				out = append(out, t)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// candidateRequest is the GET /allocation_candidates query for spec;
// inTree restricts it to one provider tree (a forced node).
func candidateRequest(spec *RequestSpec, limit int, inTree string) client.CandidateRequest {
	return client.CandidateRequest{
		Groups: []client.Group{{
			Resources: resources(spec),
			Required:  traits(spec),
			InTree:    inTree,
		}},
		Limit: limit,
	}
}
