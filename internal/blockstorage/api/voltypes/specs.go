package voltypes

import (
	"encoding/json"
	"net/http"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/api/wire"
	"github.com/gostack/gostack/internal/blockstorage/policies"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// ExtraSpecs is GET /types/{id}/extra_specs.
func (h Handlers) ExtraSpecs(w http.ResponseWriter, r *http.Request) error {
	specs, err := h.use().ExtraSpecs(r.Context(), h.Scope(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, "extra_specs", specs)
}

// CreateExtraSpecs is POST /types/{id}/extra_specs: the keys given are
// added or replaced, and answered back.
func (h Handlers) CreateExtraSpecs(w http.ResponseWriter, r *http.Request) error {
	top, err := topObject(r)
	if err != nil {
		return err
	}
	specs, err := Specs(top["extra_specs"], "extra_specs", true)
	if err != nil {
		return err
	}
	if err := h.use().SetExtraSpecs(r.Context(), r.PathValue("id"), specs); err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, "extra_specs", specs)
}

// ExtraSpec is GET /types/{id}/extra_specs/{key}: {key: value}.
func (h Handlers) ExtraSpec(w http.ResponseWriter, r *http.Request) error {
	key := r.PathValue("key")
	v, err := h.use().ExtraSpec(r.Context(), h.Scope(r), r.PathValue("id"), key)
	if err != nil {
		return err
	}
	return httpapi.WriteJSON(w, http.StatusOK, map[string]string{key: v})
}

// UpdateExtraSpec is PUT /types/{id}/extra_specs/{key} with {key:
// value}: the one key of the body must be the URL's.
func (h Handlers) UpdateExtraSpec(w http.ResponseWriter, r *http.Request) error {
	key := r.PathValue("key")
	spec, err := oneSpec(r, key)
	if err != nil {
		return err
	}
	if err := h.use().SetExtraSpecs(r.Context(), r.PathValue("id"), spec); err != nil {
		return err
	}
	return httpapi.WriteJSON(w, http.StatusOK, spec)
}

// oneSpec reads the body {key: value} of a spec item's update.
func oneSpec(r *http.Request, key string) (map[string]string, error) {
	top, err := topObject(r)
	if err != nil {
		return nil, err
	}
	if len(top) > 1 {
		return nil, blockstorage.BadRequest("Request body contains too many items.")
	}
	raw, ok := top[key]
	if !ok {
		return nil, blockstorage.BadRequest("Request body and URI mismatch")
	}
	return Specs(json.RawMessage(`{`+quote(key)+`:`+string(raw)+`}`), key, true)
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// DeleteExtraSpec is DELETE /types/{id}/extra_specs/{key}.
func (h Handlers) DeleteExtraSpec(w http.ResponseWriter, r *http.Request) error {
	if err := h.use().DeleteExtraSpec(r.Context(), r.PathValue("id"), r.PathValue("key")); err != nil {
		return err
	}
	return wire.Accepted(w)
}

// Access is GET /types/{id}/os-volume-type-access.
func (h Handlers) Access(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	projects, err := h.use().Access(r.Context(), id)
	if err != nil {
		return err
	}
	out := make([]wire.Item, len(projects))
	for i, p := range projects {
		out[i] = wire.Item{"volume_type_id": id, "project_id": p}
	}
	return wire.Reply(w, http.StatusOK, "volume_type_access", out)
}

// Actions are the actions of POST /types/{id}/action: project access to
// a private type.
func (h Handlers) Actions() []httpapi.Action {
	return []httpapi.Action{
		{Name: "addProjectAccess", Policy: policies.TypeAccessAdd, Target: h.OwnTarget, Handler: h.accessAction("addProjectAccess", true)},
		{Name: "removeProjectAccess", Policy: policies.TypeAccessRemove, Target: h.OwnTarget, Handler: h.accessAction("removeProjectAccess", false)},
	}
}

func (h Handlers) accessAction(name string, add bool) httpapi.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var body struct {
			Project *string `json:"project"`
		}
		if err := wire.Body(r, name, &body); err != nil {
			return err
		}
		if body.Project == nil {
			return blockstorage.BadRequest("Invalid input received: 'project' is a required property")
		}
		var err error
		if add {
			err = h.use().AddAccess(r.Context(), r.PathValue("id"), *body.Project)
		} else {
			err = h.use().RemoveAccess(r.Context(), r.PathValue("id"), *body.Project)
		}
		if err != nil {
			return err
		}
		return wire.Accepted(w)
	}
}
