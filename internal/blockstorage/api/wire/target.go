package wire

import "net/http"

// OwnTarget is the policy target of a collection route: the caller's own
// project, which admin_or_owner compares with.
func (c *Ctx) OwnTarget(r *http.Request) (map[string]any, error) {
	cr := Creds(r)
	return map[string]any{"project_id": cr.ProjectID, "user_id": cr.UserID}, nil
}
