package catalog

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/gostack/gostack/internal/identity/catalog"
	"github.com/gostack/gostack/internal/identity/directory"
	"github.com/gostack/gostack/internal/identity/store/row"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

// Catalog returns every enabled service with its enabled endpoints.
func (s *Store) Catalog(ctx context.Context) ([]catalog.Entry, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `
		SELECT s.id, s.type, s.name, s.description, s.enabled, e.id, e.interface, e.region_id, e.url, e.enabled
		FROM identity_services s JOIN identity_endpoints e ON e.service_id = s.id
		WHERE s.enabled = TRUE AND e.enabled = TRUE
		ORDER BY s.type, s.id, e.interface, e.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []catalog.Entry
	for rows.Next() {
		var sv catalog.APIService
		var ep catalog.Endpoint
		if err := rows.Scan(&sv.ID, &sv.Type, &sv.Name, &sv.Description, &sv.Enabled, &ep.ID, &ep.Interface, &ep.RegionID, &ep.URL, &ep.Enabled); err != nil {
			return nil, err
		}
		ep.ServiceID = sv.ID
		if n := len(out); n == 0 || out[n-1].Service.ID != sv.ID {
			out = append(out, catalog.Entry{Service: sv})
		}
		out[len(out)-1].Endpoints = append(out[len(out)-1].Endpoints, ep)
	}
	return out, rows.Err()
}

// Regions.
func scanRegion(sc db.Scanner) (*catalog.Region, error) {
	var r catalog.Region
	var extra []byte
	if err := sc.Scan(&r.ID, &r.Description, &r.ParentRegionID, &extra); err != nil {
		return nil, err
	}
	r.Extra = row.DecodeMap(extra)
	return &r, nil
}

// CreateRegion inserts a region.
func (s *Store) CreateRegion(ctx context.Context, r *catalog.Region) error {
	return row.Exec1(ctx, s.db, "region", r.ID, "Duplicate ID, "+r.ID+".",
		`INSERT INTO identity_regions (id, description, parent_region_id, extra) VALUES ($1, $2, $3, $4)`,
		r.ID, r.Description, r.ParentRegionID, row.EncodeMap(r.Extra))
}

// GetRegion returns a region.
func (s *Store) GetRegion(ctx context.Context, id string) (*catalog.Region, error) {
	r, err := scanRegion(s.db.Reader().QueryRowContext(ctx, `SELECT id, description, parent_region_id, extra FROM identity_regions WHERE id = $1`, id))
	return r, row.NotFoundIf(err, "region", id)
}

// UpdateRegion writes a region.
func (s *Store) UpdateRegion(ctx context.Context, r *catalog.Region) error {
	return row.Exec1(ctx, s.db, "region", r.ID, "", `UPDATE identity_regions SET description = $2, parent_region_id = $3, extra = $4 WHERE id = $1`,
		r.ID, r.Description, r.ParentRegionID, row.EncodeMap(r.Extra))
}

// DeleteRegion deletes a region.
func (s *Store) DeleteRegion(ctx context.Context, id string) error {
	return row.Exec1(ctx, s.db, "region", id, "", `DELETE FROM identity_regions WHERE id = $1`, id)
}

// ListRegions returns every region.
func (s *Store) ListRegions(ctx context.Context) ([]*catalog.Region, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT id, description, parent_region_id, extra FROM identity_regions ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*catalog.Region
	for rows.Next() {
		r, err := scanRegion(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Services.
func scanService(sc db.Scanner) (*catalog.APIService, error) {
	var sv catalog.APIService
	var extra []byte
	if err := sc.Scan(&sv.ID, &sv.Type, &sv.Name, &sv.Description, &sv.Enabled, &extra); err != nil {
		return nil, err
	}
	sv.Extra = row.DecodeMap(extra)
	return &sv, nil
}

const serviceColumns = `id, type, name, description, enabled, extra`

// CreateService inserts a catalog service.
func (s *Store) CreateService(ctx context.Context, sv *catalog.APIService) error {
	return row.Exec1(ctx, s.db, "service", sv.ID, "Duplicate ID, "+sv.ID+".",
		`INSERT INTO identity_services (id, type, name, description, enabled, extra) VALUES ($1, $2, $3, $4, $5, $6)`,
		sv.ID, sv.Type, sv.Name, sv.Description, sv.Enabled, row.EncodeMap(sv.Extra))
}

// GetService returns a catalog service.
func (s *Store) GetService(ctx context.Context, id string) (*catalog.APIService, error) {
	sv, err := scanService(s.db.Reader().QueryRowContext(ctx, `SELECT `+serviceColumns+` FROM identity_services WHERE id = $1`, id))
	return sv, row.NotFoundIf(err, "service", id)
}

// UpdateService writes a catalog service.
func (s *Store) UpdateService(ctx context.Context, sv *catalog.APIService) error {
	return row.Exec1(ctx, s.db, "service", sv.ID, "", `UPDATE identity_services SET type = $2, name = $3, description = $4, enabled = $5, extra = $6 WHERE id = $1`,
		sv.ID, sv.Type, sv.Name, sv.Description, sv.Enabled, row.EncodeMap(sv.Extra))
}

// DeleteService deletes a service and its endpoints.
func (s *Store) DeleteService(ctx context.Context, id string) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM identity_project_endpoints WHERE endpoint_id IN (SELECT id FROM identity_endpoints WHERE service_id = $1)`, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM identity_endpoints WHERE service_id = $1`, id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM identity_services WHERE id = $1`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return directory.NotFound("service", id)
		}
		return nil
	})
}

// ListServices returns every catalog service.
func (s *Store) ListServices(ctx context.Context) ([]*catalog.APIService, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT `+serviceColumns+` FROM identity_services ORDER BY type, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*catalog.APIService
	for rows.Next() {
		sv, err := scanService(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, sv)
	}
	return out, rows.Err()
}

// Endpoints.
const endpointColumns = `id, service_id, interface, region_id, url, enabled, extra`

func scanEndpoint(sc db.Scanner) (*catalog.Endpoint, error) {
	var e catalog.Endpoint
	var extra []byte
	if err := sc.Scan(&e.ID, &e.ServiceID, &e.Interface, &e.RegionID, &e.URL, &e.Enabled, &extra); err != nil {
		return nil, err
	}
	e.Extra = row.DecodeMap(extra)
	return &e, nil
}

// CreateEndpoint inserts an endpoint.
func (s *Store) CreateEndpoint(ctx context.Context, e *catalog.Endpoint) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO identity_endpoints (id, service_id, interface, region_id, url, enabled, extra)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, e.ID, e.ServiceID, e.Interface, e.RegionID, e.URL, e.Enabled, row.EncodeMap(e.Extra))
		if db.IsForeignKey(err) {
			return apierr.BadRequest("Service %s does not exist.", e.ServiceID)
		}
		return row.ConflictIf(err, "Duplicate ID, "+e.ID+".")
	})
}

// GetEndpoint returns an endpoint.
func (s *Store) GetEndpoint(ctx context.Context, id string) (*catalog.Endpoint, error) {
	e, err := scanEndpoint(s.db.Reader().QueryRowContext(ctx, `SELECT `+endpointColumns+` FROM identity_endpoints WHERE id = $1`, id))
	return e, row.NotFoundIf(err, "endpoint", id)
}

// UpdateEndpoint writes an endpoint.
func (s *Store) UpdateEndpoint(ctx context.Context, e *catalog.Endpoint) error {
	return row.Exec1(ctx, s.db, "endpoint", e.ID, "", `UPDATE identity_endpoints SET service_id = $2, interface = $3, region_id = $4, url = $5,
		enabled = $6, extra = $7 WHERE id = $1`, e.ID, e.ServiceID, e.Interface, e.RegionID, e.URL, e.Enabled, row.EncodeMap(e.Extra))
}

// DeleteEndpoint deletes an endpoint and its project associations.
func (s *Store) DeleteEndpoint(ctx context.Context, id string) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM identity_project_endpoints WHERE endpoint_id = $1`, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM identity_endpoint_policies WHERE endpoint_id = $1`, id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM identity_endpoints WHERE id = $1`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return directory.NotFound("endpoint", id)
		}
		return nil
	})
}

// ListEndpoints returns every endpoint.
func (s *Store) ListEndpoints(ctx context.Context) ([]*catalog.Endpoint, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT `+endpointColumns+` FROM identity_endpoints ORDER BY service_id, interface, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*catalog.Endpoint
	for rows.Next() {
		e, err := scanEndpoint(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Endpoint groups and associations.
func scanEndpointGroup(sc db.Scanner) (*catalog.EndpointGroup, error) {
	var g catalog.EndpointGroup
	var filters string
	if err := sc.Scan(&g.ID, &g.Name, &g.Description, &filters); err != nil {
		return nil, err
	}
	g.Filters = map[string]any{}
	json.Unmarshal([]byte(filters), &g.Filters)
	return &g, nil
}

func filtersText(m map[string]any) string {
	b, err := json.Marshal(m)
	if err != nil || m == nil {
		return "{}"
	}
	return string(b)
}

// CreateEndpointGroup inserts an endpoint group.
func (s *Store) CreateEndpointGroup(ctx context.Context, g *catalog.EndpointGroup) error {
	return row.Exec1(ctx, s.db, "endpoint group", g.ID, "Duplicate ID, "+g.ID+".",
		`INSERT INTO identity_endpoint_groups (id, name, description, filters) VALUES ($1, $2, $3, $4)`, g.ID, g.Name, g.Description, filtersText(g.Filters))
}

// GetEndpointGroup returns an endpoint group.
func (s *Store) GetEndpointGroup(ctx context.Context, id string) (*catalog.EndpointGroup, error) {
	g, err := scanEndpointGroup(s.db.Reader().QueryRowContext(ctx, `SELECT id, name, description, filters FROM identity_endpoint_groups WHERE id = $1`, id))
	return g, row.NotFoundIf(err, "endpoint group", id)
}

// UpdateEndpointGroup writes an endpoint group.
func (s *Store) UpdateEndpointGroup(ctx context.Context, g *catalog.EndpointGroup) error {
	return row.Exec1(ctx, s.db, "endpoint group", g.ID, "", `UPDATE identity_endpoint_groups SET name = $2, description = $3, filters = $4 WHERE id = $1`,
		g.ID, g.Name, g.Description, filtersText(g.Filters))
}

// DeleteEndpointGroup deletes an endpoint group and its project associations.
func (s *Store) DeleteEndpointGroup(ctx context.Context, id string) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM identity_endpoint_group_projects WHERE endpoint_group_id = $1`, id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM identity_endpoint_groups WHERE id = $1`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return directory.NotFound("endpoint group", id)
		}
		return nil
	})
}

// ListEndpointGroups returns every endpoint group.
func (s *Store) ListEndpointGroups(ctx context.Context) ([]*catalog.EndpointGroup, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT id, name, description, filters FROM identity_endpoint_groups ORDER BY name, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*catalog.EndpointGroup
	for rows.Next() {
		g, err := scanEndpointGroup(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

func (s *Store) pairs(ctx context.Context, q string, args ...any) ([][2]string, error) {
	rows, err := s.db.Reader().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][2]string
	for rows.Next() {
		var p [2]string
		if err := rows.Scan(&p[0], &p[1]); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// AddProjectEndpoint associates an endpoint with a project.
func (s *Store) AddProjectEndpoint(ctx context.Context, projectID, endpointID string) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO identity_project_endpoints (project_id, endpoint_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, projectID, endpointID)
		return err
	})
}

// RemoveProjectEndpoint removes a project-endpoint association.
func (s *Store) RemoveProjectEndpoint(ctx context.Context, projectID, endpointID string) error {
	return row.Exec1(ctx, s.db, "project endpoint", endpointID, "", `DELETE FROM identity_project_endpoints WHERE project_id = $1 AND endpoint_id = $2`, projectID, endpointID)
}

// ProjectEndpoints lists (project, endpoint) associations.
func (s *Store) ProjectEndpoints(ctx context.Context, projectID, endpointID string) ([][2]string, error) {
	return s.pairs(ctx, `SELECT project_id, endpoint_id FROM identity_project_endpoints
		WHERE ($1 = '' OR project_id = $1) AND ($2 = '' OR endpoint_id = $2) ORDER BY project_id, endpoint_id`, projectID, endpointID)
}

// AddEndpointGroupProject associates an endpoint group with a project.
func (s *Store) AddEndpointGroupProject(ctx context.Context, groupID, projectID string) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO identity_endpoint_group_projects (endpoint_group_id, project_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, groupID, projectID)
		if db.IsForeignKey(err) {
			return directory.NotFound("endpoint group", groupID)
		}
		return err
	})
}

// RemoveEndpointGroupProject removes an endpoint group-project association.
func (s *Store) RemoveEndpointGroupProject(ctx context.Context, groupID, projectID string) error {
	return row.Exec1(ctx, s.db, "endpoint group project", projectID, "", `DELETE FROM identity_endpoint_group_projects WHERE endpoint_group_id = $1 AND project_id = $2`, groupID, projectID)
}

// EndpointGroupProjects lists (endpoint group, project) associations.
func (s *Store) EndpointGroupProjects(ctx context.Context, groupID, projectID string) ([][2]string, error) {
	return s.pairs(ctx, `SELECT endpoint_group_id, project_id FROM identity_endpoint_group_projects
		WHERE ($1 = '' OR endpoint_group_id = $1) AND ($2 = '' OR project_id = $2) ORDER BY endpoint_group_id, project_id`, groupID, projectID)
}
