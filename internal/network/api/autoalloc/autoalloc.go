// Package autoalloc serves Neutron's auto-allocated-topology extension:
// GET /v2.0/auto-allocated-topology/{id} answers a project's
// auto-allocated network, making the topology on the first request
// (?fields=dry-run only checks that it could), and DELETE tears it down.
// {id} is a project id; "None" stands for the caller's project, as
// neutronclient sends it when no project is given.
package autoalloc

import (
	"net/http"
	"slices"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/api/wire"
	aa "github.com/gostack/gostack/internal/network/autoalloc"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// Handlers are the auto-allocated topology's handlers.
type Handlers struct{ *wire.Ctx }

// dryRun is the fields= value that asks only for the checks.
const dryRun = "dry-run"

// project is the project a request is about: the path's, or the
// caller's for "None".
func project(r *http.Request) string {
	p := r.PathValue("id")
	if p == "None" {
		p = wire.Creds(r).ProjectID
	}
	return p
}

// Target is the policy target of the routes: the project asked about, so
// that the owner rule lets a project reach only its own topology.
func Target(r *http.Request) (map[string]any, error) {
	p := project(r)
	return map[string]any{"project_id": p, "tenant_id": p}, nil
}

func render(id, project string) wire.Item {
	return wire.Item{"id": id, "tenant_id": project, "project_id": project}
}

// ShowTopology is GET /v2.0/auto-allocated-topology/{id}.
func (h Handlers) ShowTopology(w http.ResponseWriter, r *http.Request) error {
	p := project(r)
	svc := aa.New(h.Svc)
	fields := r.URL.Query()["fields"]
	switch {
	case slices.Contains(fields, dryRun):
		if err := svc.DryRun(r.Context()); err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, map[string]any{"auto_allocated_topology": render(aa.DryRunID, p)})
	case len(fields) > 0:
		// Neutron's plugin knows no field to select but the dry run.
		return network.BadRequest("Bad auto_allocate request: Unrecognized field.").WithType("BadRequest")
	}
	id, err := svc.Get(r.Context(), h.Scope(r), p)
	if err != nil {
		return err
	}
	return httpapi.WriteJSON(w, http.StatusOK, map[string]any{"auto_allocated_topology": render(id, p)})
}

// DeleteTopology is DELETE /v2.0/auto-allocated-topology/{id}: 204,
// also for a project without a topology, as Neutron answers.
func (h Handlers) DeleteTopology(w http.ResponseWriter, r *http.Request) error {
	if err := aa.New(h.Svc).Delete(r.Context(), h.Scope(r), project(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
