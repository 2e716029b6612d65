package api

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/gostack/gostack/internal/compute"
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

func migrationView(m *compute.Migration, minor int, b linkBase) map[string]any {
	v := map[string]any{
		"id": m.ID, "source_node": m.SourceNode, "dest_node": m.DestNode, "source_compute": m.SourceCompute,
		"dest_compute": m.DestCompute, "dest_host": m.DestHost, "status": m.Status, "instance_uuid": m.InstanceID,
		"old_instance_type_id": flavorIntID(m.OldFlavorID), "new_instance_type_id": flavorIntID(m.NewFlavorID),
		"created_at": m.CreatedAt.UTC().Format(microTime), "updated_at": m.UpdatedAt.UTC().Format(microTime),
	}
	if minor >= 23 {
		v["migration_type"] = m.Type
		if m.Type == "live-migration" && slices.Contains(liveInProgress, m.Status) {
			v["links"] = b.links("servers/"+m.InstanceID+"/migrations", strconv.FormatInt(m.ID, 10))
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

func (h *Handler) listMigrations(w http.ResponseWriter, r *http.Request) error {
	minor := minorOf(r)
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
				t, ok := parseTime(s)
				if !ok {
					return badRequest("Invalid input for query parameters %s. Value: %s. '%s' is not a 'date-time'", p.name, s, s)
				}
				*p.dst = &t
			}
		}
		if f.ChangesSince != nil && f.ChangesBefore != nil && f.ChangesBefore.Before(*f.ChangesSince) {
			return badRequest("The value of changes-since must be less than or equal to changes-before.")
		}
	}
	if minor >= 80 {
		f.UserID, f.ProjectID = q.Get("user_id"), q.Get("project_id")
	}
	ms, err := h.svc.Migrations(r.Context(), f)
	var nf *compute.NotFoundError
	if errors.As(err, &nf) && f.Marker != "" {
		return badRequest("Marker %s could not be found.", f.Marker)
	}
	if err != nil {
		return err
	}
	b := baseOf(r)
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
	return reply(w, http.StatusOK, body)
}

func serverMigrationView(m *compute.Migration, minor int) map[string]any {
	v := map[string]any{
		"id": m.ID, "server_uuid": m.InstanceID, "status": m.Status,
		"source_compute": m.SourceCompute, "source_node": m.SourceNode,
		"dest_compute": m.DestCompute, "dest_node": m.DestNode, "dest_host": m.DestHost,
		"memory_total_bytes": m.MemoryTotal, "memory_remaining_bytes": m.MemoryRemain, "memory_processed_bytes": m.MemoryProc,
		"disk_total_bytes": m.DiskTotal, "disk_remaining_bytes": m.DiskRemain, "disk_processed_bytes": m.DiskProc,
		"created_at": m.CreatedAt.UTC().Format(microTime), "updated_at": m.UpdatedAt.UTC().Format(microTime),
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

func (h *Handler) listServerMigrations(w http.ResponseWriter, r *http.Request) error {
	ms, err := h.svc.ServerMigrations(r.Context(), caller(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	out := make([]any, len(ms))
	for i := range ms {
		out[i] = serverMigrationView(&ms[i], minorOf(r))
	}
	return reply(w, http.StatusOK, map[string]any{"migrations": out})
}

func (h *Handler) showServerMigration(w http.ResponseWriter, r *http.Request) error {
	mid, err := migrationID(r)
	if err != nil {
		return err
	}
	m, err := h.svc.ServerMigration(r.Context(), caller(r), r.PathValue("id"), mid)
	if err != nil {
		return err
	}
	return reply(w, http.StatusOK, map[string]any{"migration": serverMigrationView(m, minorOf(r))})
}

func (h *Handler) forceCompleteMigration(w http.ResponseWriter, r *http.Request) error {
	mid, err := migrationID(r)
	if err != nil {
		return err
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	top, err := objectField("force_complete", body, false)
	if err != nil {
		return err
	}
	if err := onlyFields("force_complete", top, []string{"force_complete"}); err != nil {
		return err
	}
	if err := required("force_complete", top, "force_complete"); err != nil {
		return err
	}
	if string(top["force_complete"]) != "null" {
		return invalidField("force_complete", top["force_complete"], string(top["force_complete"])+" is not of type 'null'")
	}
	if err := h.svc.ForceCompleteMigration(r.Context(), caller(r), r.PathValue("id"), mid); err != nil {
		return err
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

func (h *Handler) abortMigration(w http.ResponseWriter, r *http.Request) error {
	mid, err := migrationID(r)
	if err != nil {
		return err
	}
	if err := h.svc.AbortMigration(r.Context(), caller(r), r.PathValue("id"), mid); err != nil {
		return err
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}
