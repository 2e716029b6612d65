// Package usage holds what compute reports of past use: the simple
// tenant usage (os-simple-tenant-usage: instance hours, and vCPU, RAM and
// disk hours, per project and server) and the instance usage audit log.
package usage

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/hosts"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// Service computes usage from the instances of store.
type Service struct {
	store compute.Store
	deps  compute.Deps
}

// New returns the usage of the instances of store; deps gives the clock.
func New(store compute.Store, deps compute.Deps) *Service {
	return &Service{store: store, deps: deps}
}

// usageHours is Nova's _hours_for: the hours an instance ran within
// [start, stop].
func usageHours(inst *compute.Instance, start, stop time.Time) float64 {
	if inst.LaunchedAt == nil {
		return 0
	}
	if inst.TerminatedAt != nil && inst.TerminatedAt.Before(start) || inst.LaunchedAt.After(stop) {
		return 0
	}
	from := *inst.LaunchedAt
	if from.Before(start) {
		from = start
	}
	to := stop
	if inst.TerminatedAt != nil && inst.TerminatedAt.Before(stop) {
		to = *inst.TerminatedAt
	}
	return to.Sub(from).Hours()
}

// usageInstances returns the instances of a project ("" = all) that were
// launched before end and not terminated before start, deleted included.
func (s *Service) usageInstances(ctx context.Context, projectID string, start, end time.Time) ([]compute.Instance, error) {
	var out []compute.Instance
	for _, deleted := range []bool{false, true} {
		insts, err := s.store.ListInstances(ctx, compute.InstanceFilter{ProjectID: projectID, Deleted: &deleted,
			SortKeys: []string{"created_at", "uuid"}, SortDirs: []string{"asc", "asc"}})
		if err != nil {
			return nil, err
		}
		for _, i := range insts {
			if i.LaunchedAt == nil || !i.LaunchedAt.Before(end) || i.TerminatedAt != nil && !i.TerminatedAt.After(start) {
				continue
			}
			out = append(out, i)
		}
	}
	return out, nil
}

// usages sums instances into per-project usages, in first-seen order.
func (s *Service) usages(insts []compute.Instance, start, end time.Time, detailed bool) []Tenant {
	now := s.deps.Clock()
	var order []string
	by := map[string]*Tenant{}
	for i := range insts {
		inst := &insts[i]
		u := Server{
			InstanceID: inst.ID, Name: inst.Name, Hours: usageHours(inst, start, end),
			MemoryMB: inst.Flavor.RAM, LocalGB: inst.Flavor.Disk + inst.Flavor.Ephemeral, VCPUs: inst.Flavor.VCPUs,
			Flavor: inst.Flavor.Name, State: inst.VMState, StartedAt: *inst.LaunchedAt, ProjectID: inst.ProjectID,
		}
		if inst.TerminatedAt != nil {
			t := *inst.TerminatedAt
			u.EndedAt, u.State = &t, "terminated"
			u.Uptime = int64(t.Sub(u.StartedAt).Seconds())
		} else {
			u.Uptime = int64(now.Sub(u.StartedAt).Seconds())
		}
		t, ok := by[inst.ProjectID]
		if !ok {
			t = &Tenant{ProjectID: inst.ProjectID, Start: start, Stop: end}
			if detailed {
				t.Servers = []Server{}
			}
			by[inst.ProjectID] = t
			order = append(order, inst.ProjectID)
		}
		t.TotalHours += u.Hours
		t.TotalVCPUsUsage += float64(u.VCPUs) * u.Hours
		t.TotalMemoryMBUsage += float64(u.MemoryMB) * u.Hours
		t.TotalLocalGBUsage += float64(u.LocalGB) * u.Hours
		if detailed {
			t.Servers = append(t.Servers, u)
		}
	}
	out := make([]Tenant, 0, len(order))
	for _, p := range order {
		out = append(out, *by[p])
	}
	return out
}

// checkPeriod refuses an end before the start, as Nova does.
func checkPeriod(start, end time.Time) error {
	if end.Before(start) {
		return apierr.BadRequest("Invalid start time. The start time cannot occur after the end time.")
	}
	return nil
}

// TenantUsages reports every project's usage between start and end
// (os-simple-tenant-usage index); detailed adds server usages.
func (s *Service) TenantUsages(ctx context.Context, start, end time.Time, detailed bool) ([]Tenant, error) {
	if err := checkPeriod(start, end); err != nil {
		return nil, err
	}
	insts, err := s.usageInstances(ctx, "", start, end)
	if err != nil {
		return nil, err
	}
	out := s.usages(insts, start, end, detailed)
	slices.SortStableFunc(out, func(a, b Tenant) int { return strings.Compare(a.ProjectID, b.ProjectID) })
	return out, nil
}

// TenantUsage reports one project's usage between start and end, with
// its servers; nil when the project ran nothing then (Nova shows {}).
func (s *Service) TenantUsage(ctx context.Context, projectID string, start, end time.Time) (*Tenant, error) {
	if err := checkPeriod(start, end); err != nil {
		return nil, err
	}
	insts, err := s.usageInstances(ctx, projectID, start, end)
	if err != nil {
		return nil, err
	}
	out := s.usages(insts, start, end, true)
	if len(out) == 0 {
		return nil, nil
	}
	return &out[0], nil
}

// AuditLog is Nova's os-instance_usage_audit_log summary of the
// instance usage audit task of one period, over the compute hosts.
type AuditLog struct {
	PeriodBeginning, PeriodEnding time.Time
	Hosts                         []string // every compute host
	HostsNotRun                   []string // hosts with no task log
	HostsDone, HostsRunning       int
	TotalInstances, TotalErrors   int
	// Log holds the task log of each host that ran; this cloud runs no
	// usage audit task, so it stays empty and every host is "not run".
	Log map[string]AuditHostLog
}

// AuditHostLog is one host's task log entry.
type AuditHostLog struct {
	State     string
	Instances int
	Errors    int
	Message   string
}

// OverallStatus is Nova's "ALL hosts done. 0 errors." or
// "1 of 2 hosts done. 0 errors.".
func (a *AuditLog) OverallStatus() string {
	done := "ALL"
	if a.HostsDone != len(a.Hosts) {
		done = strconv.Itoa(a.HostsDone) + " of " + strconv.Itoa(len(a.Hosts))
	}
	return done + " hosts done. " + strconv.Itoa(a.TotalErrors) + " errors."
}

// lastCompletedMonth is Nova's last_completed_audit_period with the
// default monthly period: the last whole calendar month ending at or
// before t.
func lastCompletedMonth(t time.Time) (begin, end time.Time) {
	t = t.UTC()
	end = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	if !end.Before(t) {
		end = end.AddDate(0, -1, 0)
	}
	return end.AddDate(0, -1, 0), end
}

// InstanceUsageAuditLog reports the usage audit of the last completed
// period before before (zero = now), as Nova's os-instance_usage_audit_log.
func (s *Service) InstanceUsageAuditLog(ctx context.Context, before time.Time) (*AuditLog, error) {
	if before.IsZero() {
		before = s.deps.Clock()
	}
	begin, end := lastCompletedMonth(before)
	rows, err := s.store.ListServices(ctx, "", hosts.BinaryCompute)
	if err != nil {
		return nil, err
	}
	a := &AuditLog{PeriodBeginning: begin, PeriodEnding: end, Hosts: []string{}, HostsNotRun: []string{}, Log: map[string]AuditHostLog{}}
	for _, r := range rows {
		if !slices.Contains(a.Hosts, r.Host) {
			a.Hosts = append(a.Hosts, r.Host)
			a.HostsNotRun = append(a.HostsNotRun, r.Host)
		}
	}
	return a, nil
}

// Tenant is one project's usage in os-simple-tenant-usage.
type Tenant struct {
	ProjectID          string
	Start, Stop        time.Time
	TotalHours         float64
	TotalVCPUsUsage    float64
	TotalMemoryMBUsage float64
	TotalLocalGBUsage  float64
	Servers            []Server
}

// Server is one server of a Tenant's usage.
type Server struct {
	InstanceID string
	Name       string
	Hours      float64
	MemoryMB   int64
	LocalGB    int64
	VCPUs      int64
	Flavor     string
	State      string // vm_state, "terminated" once deleted
	StartedAt  time.Time
	EndedAt    *time.Time
	Uptime     int64
	ProjectID  string
}
