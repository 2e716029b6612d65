package store

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/gostack/gostack/internal/identity"
	"github.com/gostack/gostack/internal/platform/db"
)

// exec1 runs one statement in a transaction and maps "no row" to not found.
func (s *Store) exec1(ctx context.Context, kind, id, conflictMsg string, q string, args ...any) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			if conflictMsg != "" {
				return conflictIf(err, conflictMsg)
			}
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &identity.NotFoundError{Kind: kind, ID: id}
		}
		return nil
	})
}

// Regions.

func scanRegion(row interface{ Scan(...any) error }) (*identity.Region, error) {
	var r identity.Region
	var extra []byte
	if err := row.Scan(&r.ID, &r.Description, &r.ParentRegionID, &extra); err != nil {
		return nil, err
	}
	r.Extra = decodeJSON(extra)
	return &r, nil
}

// CreateRegion inserts a region.
func (s *Store) CreateRegion(ctx context.Context, r *identity.Region) error {
	return s.exec1(ctx, "region", r.ID, "Duplicate ID, "+r.ID+".",
		`INSERT INTO identity_regions (id, description, parent_region_id, extra) VALUES ($1, $2, $3, $4)`,
		r.ID, r.Description, r.ParentRegionID, encodeJSON(r.Extra))
}

// GetRegion returns a region.
func (s *Store) GetRegion(ctx context.Context, id string) (*identity.Region, error) {
	r, err := scanRegion(s.db.Reader().QueryRowContext(ctx, `SELECT id, description, parent_region_id, extra FROM identity_regions WHERE id = $1`, id))
	return r, notFoundIf(err, "region", id)
}

// UpdateRegion writes a region.
func (s *Store) UpdateRegion(ctx context.Context, r *identity.Region) error {
	return s.exec1(ctx, "region", r.ID, "", `UPDATE identity_regions SET description = $2, parent_region_id = $3, extra = $4 WHERE id = $1`,
		r.ID, r.Description, r.ParentRegionID, encodeJSON(r.Extra))
}

// DeleteRegion deletes a region.
func (s *Store) DeleteRegion(ctx context.Context, id string) error {
	return s.exec1(ctx, "region", id, "", `DELETE FROM identity_regions WHERE id = $1`, id)
}

// ListRegions returns every region.
func (s *Store) ListRegions(ctx context.Context) ([]*identity.Region, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT id, description, parent_region_id, extra FROM identity_regions ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*identity.Region
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

func scanService(row interface{ Scan(...any) error }) (*identity.CatalogService, error) {
	var sv identity.CatalogService
	var extra []byte
	if err := row.Scan(&sv.ID, &sv.Type, &sv.Name, &sv.Description, &sv.Enabled, &extra); err != nil {
		return nil, err
	}
	sv.Extra = decodeJSON(extra)
	return &sv, nil
}

const serviceColumns = `id, type, name, description, enabled, extra`

// CreateService inserts a catalog service.
func (s *Store) CreateService(ctx context.Context, sv *identity.CatalogService) error {
	return s.exec1(ctx, "service", sv.ID, "Duplicate ID, "+sv.ID+".",
		`INSERT INTO identity_services (id, type, name, description, enabled, extra) VALUES ($1, $2, $3, $4, $5, $6)`,
		sv.ID, sv.Type, sv.Name, sv.Description, sv.Enabled, encodeJSON(sv.Extra))
}

// GetService returns a catalog service.
func (s *Store) GetService(ctx context.Context, id string) (*identity.CatalogService, error) {
	sv, err := scanService(s.db.Reader().QueryRowContext(ctx, `SELECT `+serviceColumns+` FROM identity_services WHERE id = $1`, id))
	return sv, notFoundIf(err, "service", id)
}

// UpdateService writes a catalog service.
func (s *Store) UpdateService(ctx context.Context, sv *identity.CatalogService) error {
	return s.exec1(ctx, "service", sv.ID, "", `UPDATE identity_services SET type = $2, name = $3, description = $4, enabled = $5, extra = $6 WHERE id = $1`,
		sv.ID, sv.Type, sv.Name, sv.Description, sv.Enabled, encodeJSON(sv.Extra))
}

// DeleteService deletes a service and its endpoints.
func (s *Store) DeleteService(ctx context.Context, id string) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
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
			return &identity.NotFoundError{Kind: "service", ID: id}
		}
		return nil
	})
}

// ListServices returns every catalog service.
func (s *Store) ListServices(ctx context.Context) ([]*identity.CatalogService, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT `+serviceColumns+` FROM identity_services ORDER BY type, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*identity.CatalogService
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

func scanEndpoint(row interface{ Scan(...any) error }) (*identity.Endpoint, error) {
	var e identity.Endpoint
	var extra []byte
	if err := row.Scan(&e.ID, &e.ServiceID, &e.Interface, &e.RegionID, &e.URL, &e.Enabled, &extra); err != nil {
		return nil, err
	}
	e.Extra = decodeJSON(extra)
	return &e, nil
}

// CreateEndpoint inserts an endpoint.
func (s *Store) CreateEndpoint(ctx context.Context, e *identity.Endpoint) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO identity_endpoints (id, service_id, interface, region_id, url, enabled, extra)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, e.ID, e.ServiceID, e.Interface, e.RegionID, e.URL, e.Enabled, encodeJSON(e.Extra))
		if db.IsForeignKey(err) {
			return &identity.ValidationError{Msg: "Service " + e.ServiceID + " does not exist."}
		}
		return conflictIf(err, "Duplicate ID, "+e.ID+".")
	})
}

// GetEndpoint returns an endpoint.
func (s *Store) GetEndpoint(ctx context.Context, id string) (*identity.Endpoint, error) {
	e, err := scanEndpoint(s.db.Reader().QueryRowContext(ctx, `SELECT `+endpointColumns+` FROM identity_endpoints WHERE id = $1`, id))
	return e, notFoundIf(err, "endpoint", id)
}

// UpdateEndpoint writes an endpoint.
func (s *Store) UpdateEndpoint(ctx context.Context, e *identity.Endpoint) error {
	return s.exec1(ctx, "endpoint", e.ID, "", `UPDATE identity_endpoints SET service_id = $2, interface = $3, region_id = $4, url = $5,
		enabled = $6, extra = $7 WHERE id = $1`, e.ID, e.ServiceID, e.Interface, e.RegionID, e.URL, e.Enabled, encodeJSON(e.Extra))
}

// DeleteEndpoint deletes an endpoint and its project associations.
func (s *Store) DeleteEndpoint(ctx context.Context, id string) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
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
			return &identity.NotFoundError{Kind: "endpoint", ID: id}
		}
		return nil
	})
}

// ListEndpoints returns every endpoint.
func (s *Store) ListEndpoints(ctx context.Context) ([]*identity.Endpoint, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT `+endpointColumns+` FROM identity_endpoints ORDER BY service_id, interface, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*identity.Endpoint
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

func scanEndpointGroup(row interface{ Scan(...any) error }) (*identity.EndpointGroup, error) {
	var g identity.EndpointGroup
	var filters string
	if err := row.Scan(&g.ID, &g.Name, &g.Description, &filters); err != nil {
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
func (s *Store) CreateEndpointGroup(ctx context.Context, g *identity.EndpointGroup) error {
	return s.exec1(ctx, "endpoint group", g.ID, "Duplicate ID, "+g.ID+".",
		`INSERT INTO identity_endpoint_groups (id, name, description, filters) VALUES ($1, $2, $3, $4)`, g.ID, g.Name, g.Description, filtersText(g.Filters))
}

// GetEndpointGroup returns an endpoint group.
func (s *Store) GetEndpointGroup(ctx context.Context, id string) (*identity.EndpointGroup, error) {
	g, err := scanEndpointGroup(s.db.Reader().QueryRowContext(ctx, `SELECT id, name, description, filters FROM identity_endpoint_groups WHERE id = $1`, id))
	return g, notFoundIf(err, "endpoint group", id)
}

// UpdateEndpointGroup writes an endpoint group.
func (s *Store) UpdateEndpointGroup(ctx context.Context, g *identity.EndpointGroup) error {
	return s.exec1(ctx, "endpoint group", g.ID, "", `UPDATE identity_endpoint_groups SET name = $2, description = $3, filters = $4 WHERE id = $1`,
		g.ID, g.Name, g.Description, filtersText(g.Filters))
}

// DeleteEndpointGroup deletes an endpoint group and its project associations.
func (s *Store) DeleteEndpointGroup(ctx context.Context, id string) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM identity_endpoint_group_projects WHERE endpoint_group_id = $1`, id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM identity_endpoint_groups WHERE id = $1`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &identity.NotFoundError{Kind: "endpoint group", ID: id}
		}
		return nil
	})
}

// ListEndpointGroups returns every endpoint group.
func (s *Store) ListEndpointGroups(ctx context.Context) ([]*identity.EndpointGroup, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT id, name, description, filters FROM identity_endpoint_groups ORDER BY name, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*identity.EndpointGroup
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
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO identity_project_endpoints (project_id, endpoint_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, projectID, endpointID)
		return err
	})
}

// RemoveProjectEndpoint removes a project-endpoint association.
func (s *Store) RemoveProjectEndpoint(ctx context.Context, projectID, endpointID string) error {
	return s.exec1(ctx, "project endpoint", endpointID, "", `DELETE FROM identity_project_endpoints WHERE project_id = $1 AND endpoint_id = $2`, projectID, endpointID)
}

// ProjectEndpoints lists (project, endpoint) associations.
func (s *Store) ProjectEndpoints(ctx context.Context, projectID, endpointID string) ([][2]string, error) {
	return s.pairs(ctx, `SELECT project_id, endpoint_id FROM identity_project_endpoints
		WHERE ($1 = '' OR project_id = $1) AND ($2 = '' OR endpoint_id = $2) ORDER BY project_id, endpoint_id`, projectID, endpointID)
}

// AddEndpointGroupProject associates an endpoint group with a project.
func (s *Store) AddEndpointGroupProject(ctx context.Context, groupID, projectID string) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO identity_endpoint_group_projects (endpoint_group_id, project_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, groupID, projectID)
		if db.IsForeignKey(err) {
			return &identity.NotFoundError{Kind: "endpoint group", ID: groupID}
		}
		return err
	})
}

// RemoveEndpointGroupProject removes an endpoint group-project association.
func (s *Store) RemoveEndpointGroupProject(ctx context.Context, groupID, projectID string) error {
	return s.exec1(ctx, "endpoint group project", projectID, "", `DELETE FROM identity_endpoint_group_projects WHERE endpoint_group_id = $1 AND project_id = $2`, groupID, projectID)
}

// EndpointGroupProjects lists (endpoint group, project) associations.
func (s *Store) EndpointGroupProjects(ctx context.Context, groupID, projectID string) ([][2]string, error) {
	return s.pairs(ctx, `SELECT endpoint_group_id, project_id FROM identity_endpoint_group_projects
		WHERE ($1 = '' OR endpoint_group_id = $1) AND ($2 = '' OR project_id = $2) ORDER BY endpoint_group_id, project_id`, groupID, projectID)
}
