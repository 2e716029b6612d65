package actions

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/api/wire"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// os-migrations and a server's migrations (/servers/{id}/migrations).

// liveInProgress are the statuses of a live migration one may still
// force or abort.
var liveInProgress = []string{"queued", "preparing", "running", "post-migrating"}

// flavorIntID shows a flavor id where Nova shows the flavor's integer
// key: the id itself when it is an integer, else null.
func flavorIntID(id string) any {
	if n, err := strconv.ParseInt(id, 10, 64); err == nil {
		return n
	}
	return nil
}

func migrationView(m *compute.Migration, minor int, b wire.LinkBase) map[string]any {
	v := map[string]any{
		"id": m.ID, "source_node": m.SourceNode, "dest_node": m.DestNode, "source_compute": m.SourceCompute,
		"dest_compute": m.DestCompute, "dest_host": m.DestHost, "status": m.Status, "instance_uuid": m.InstanceID,
		"old_instance_type_id": flavorIntID(m.OldFlavorID), "new_instance_type_id": flavorIntID(m.NewFlavorID),
		"created_at": m.CreatedAt.UTC().Format(wire.MicroTime), "updated_at": m.UpdatedAt.UTC().Format(wire.MicroTime),
	}
	if minor >= 23 {
		v["migration_type"] = m.Type
		if m.Type == "live-migration" && slices.Contains(liveInProgress, m.Status) {
			v["links"] = b.Links("servers/"+m.InstanceID+"/migrations", strconv.FormatInt(m.ID, 10))
		}
	}
	if minor >= 59 {
		v["uuid"] = m.UUID
	}
	if minor >= 80 {
		v["user_id"] = m.UserID
		v["project_id"] = m.ProjectID
	}
	return v
}

func (h *Handler) ListMigrations(w http.ResponseWriter, r *http.Request) error {
	minor := wire.Minor(r)
	q := r.URL.Query()
	f := compute.MigrationFilter{
		InstanceID: q.Get("instance_uuid"), Host: q.Get("host"), Status: q.Get("status"),
		Type: q.Get("migration_type"), SourceNode: q.Get("source_compute"),
	}
	var page httpapi.Page
	if minor >= 59 {
		var err error
		if page, err = httpapi.ParsePage(r, httpapi.PageOptions{}); err != nil {
			return err
		}
		f.Limit, f.Marker = page.Limit, page.Marker
		for _, p := range []struct {
			name string
			min  int
			dst  **time.Time
		}{{"changes-since", 59, &f.ChangesSince}, {"changes-before", 66, &f.ChangesBefore}} {
			if s := q.Get(p.name); s != "" && minor >= p.min {
				t, ok := wire.ParseTime(s)
				if !ok {
					return wire.BadRequest("Invalid input for query parameters %s. Value: %s. '%s' is not a 'date-time'", p.name, s, s)
				}
				*p.dst = &t
			}
		}
		if f.ChangesSince != nil && f.ChangesBefore != nil && f.ChangesBefore.Before(*f.ChangesSince) {
			return wire.BadRequest("The value of changes-since must be less than or equal to changes-before.")
		}
	}
	if minor >= 80 {
		f.UserID, f.ProjectID = q.Get("user_id"), q.Get("project_id")
	}
	ms, err := h.servers.Migrations(r.Context(), f)
	if apierr.IsNotFound(err) && f.Marker != "" {
		return wire.BadRequest("Marker %s could not be found.", f.Marker)
	}
	if err != nil {
		return err
	}
	b := wire.BaseOf(r)
	out := make([]any, len(ms))
	for i := range ms {
		out[i] = migrationView(&ms[i], minor, b)
	}
	body := map[string]any{"migrations": out}
	if minor >= 59 && len(ms) > 0 {
		if l := httpapi.NextLinks(r, page, len(ms), ms[len(ms)-1].UUID); l != nil {
			body["migrations_links"] = l
		}
	}
	return wire.Reply(w, http.StatusOK, body)
}

func serverMigrationView(m *compute.Migration, minor int) map[string]any {
	v := map[string]any{
		"id": m.ID, "server_uuid": m.InstanceID, "status": m.Status,
		"source_compute": m.SourceCompute, "source_node": m.SourceNode,
		"dest_compute": m.DestCompute, "dest_node": m.DestNode, "dest_host": m.DestHost,
		"memory_total_bytes": m.MemoryTotal, "memory_remaining_bytes": m.MemoryRemain, "memory_processed_bytes": m.MemoryProc,
		"disk_total_bytes": m.DiskTotal, "disk_remaining_bytes": m.DiskRemain, "disk_processed_bytes": m.DiskProc,
		"created_at": m.CreatedAt.UTC().Format(wire.MicroTime), "updated_at": m.UpdatedAt.UTC().Format(wire.MicroTime),
	}
	if minor >= 59 {
		v["uuid"] = m.UUID
	}
	if minor >= 80 {
		v["user_id"] = m.UserID
		v["project_id"] = m.ProjectID
	}
	return v
}

func migrationID(r *http.Request) (int64, error) {
	s := r.PathValue("migration_id")
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, &apierr.Error{Code: http.StatusNotFound, Message: fmt.Sprintf("Migration %s for instance %s could not be found.", s, r.PathValue("id"))}
	}
	return n, nil
}

func (h *Handler) ListServerMigrations(w http.ResponseWriter, r *http.Request) error {
	ms, err := h.servers.ServerMigrations(r.Context(), h.Caller(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	out := make([]any, len(ms))
	for i := range ms {
		out[i] = serverMigrationView(&ms[i], wire.Minor(r))
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"migrations": out})
}

func (h *Handler) ShowServerMigration(w http.ResponseWriter, r *http.Request) error {
	mid, err := migrationID(r)
	if err != nil {
		return err
	}
	m, err := h.servers.ServerMigration(r.Context(), h.Caller(r), r.PathValue("id"), mid)
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"migration": serverMigrationView(m, wire.Minor(r))})
}

func (h *Handler) ForceCompleteMigration(w http.ResponseWriter, r *http.Request) error {
	mid, err := migrationID(r)
	if err != nil {
		return err
	}
	body, err := wire.ReadBody(r)
	if err != nil {
		return err
	}
	top, err := wire.ObjectField("force_complete", body, false)
	if err != nil {
		return err
	}
	if err := wire.OnlyFields("force_complete", top, []string{"force_complete"}); err != nil {
		return err
	}
	if err := wire.Required("force_complete", top, "force_complete"); err != nil {
		return err
	}
	if string(top["force_complete"]) != "null" {
		return wire.InvalidField("force_complete", top["force_complete"], string(top["force_complete"])+" is not of type 'null'")
	}
	if err := h.servers.ForceCompleteMigration(r.Context(), h.Caller(r), r.PathValue("id"), mid); err != nil {
		return err
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

func (h *Handler) AbortMigration(w http.ResponseWriter, r *http.Request) error {
	mid, err := migrationID(r)
	if err != nil {
		return err
	}
	if err := h.servers.AbortMigration(r.Context(), h.Caller(r), r.PathValue("id"), mid); err != nil {
		return err
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}
