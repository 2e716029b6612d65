// Package oauth1 is the HTTP face of OS-OAUTH1's delegation flow: the
// signed request and access token endpoints (form-encoded answers, as
// Keystone's), the authorization of a request token, and a user's
// access tokens with their roles. OAuth1 consumers, which Keystone keeps
// in the same extension, are served by api/credential; the oauth1 auth
// method by api/authn, with Request from here.
package oauth1

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"time"

	asgapi "github.com/gostack/gostack/internal/identity/api/assignment"
	"github.com/gostack/gostack/internal/identity/api/keystone"
	"github.com/gostack/gostack/internal/identity/oauth1"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// Handler serves the OS-OAUTH1 delegation routes.
type Handler struct {
	svc *oauth1.Service
	// scheme is the scheme of the public identity endpoint: as Keystone's
	// _update_url_scheme, signatures are checked against the request URL
	// with that scheme, so that a TLS-terminating proxy does not break
	// them.
	scheme string
}

// New returns the handlers; publicURL is the identity endpoint as
// clients reach it.
func New(svc *oauth1.Service, publicURL string) *Handler {
	scheme := "http"
	if u, err := url.Parse(publicURL); err == nil && u.Scheme != "" {
		scheme = u.Scheme
	}
	return &Handler{svc: svc, scheme: scheme}
}

// Request is r as the OAuth1 checks see it.
func (h *Handler) Request(r *http.Request) oauth1.Signed {
	return oauth1.Signed{
		Method:        r.Method,
		URL:           h.scheme + "://" + r.Host + r.URL.RequestURI(),
		Authorization: r.Header.Get("Authorization"),
		Headers:       map[string]string{"Requested-Project-Id": r.Header.Get("Requested-Project-Id")},
	}
}

// Authenticate checks an oauth1 auth request and returns its access token.
func (h *Handler) Authenticate(r *http.Request) (*oauth1.AccessToken, error) {
	return h.svc.Authenticate(r.Context(), h.Request(r))
}

// expiresAt is Keystone's oauth_expires_at: an ISO time with microseconds.
func expiresAt(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000000Z")
}

// writeForm answers 201 with Keystone's form-encoded token body (which
// Keystone does not escape: ids and secrets are hex).
func writeForm(w http.ResponseWriter, id, secret string, exp *time.Time) error {
	body := "oauth_token=" + id + "&oauth_token_secret=" + secret
	if exp != nil {
		body += "&oauth_expires_at=" + expiresAt(exp)
	}
	w.Header().Set("Content-Type", "application/x-www-form-urlencoded")
	w.WriteHeader(http.StatusCreated)
	_, err := io.WriteString(w, body)
	return err
}

// CreateRequestToken is POST /v3/OS-OAUTH1/request_token.
func (h *Handler) CreateRequestToken(w http.ResponseWriter, r *http.Request) error {
	rt, err := h.svc.CreateRequestToken(r.Context(), h.Request(r))
	if err != nil {
		return err
	}
	return writeForm(w, rt.ID, rt.Secret, rt.ExpiresAt)
}

// CreateAccessToken is POST /v3/OS-OAUTH1/access_token.
func (h *Handler) CreateAccessToken(w http.ResponseWriter, r *http.Request) error {
	at, err := h.svc.CreateAccessToken(r.Context(), h.Request(r))
	if err != nil {
		return err
	}
	return writeForm(w, at.ID, at.Secret, at.ExpiresAt)
}

// decodeRoles reads {"roles": [{"id": …} | {"name": …}, …]} with
// Keystone's request_token_authorize schema: each item exactly one of id
// or name. A missing "roles" is none, as Keystone's .get('roles', []).
func decodeRoles(r *http.Request) ([]oauth1.RoleRef, error) {
	var body struct {
		Roles json.RawMessage `json:"roles"`
	}
	// Keystone reads the body with get_json(silent=True): an empty body
	// authorizes no roles.
	if r.ContentLength != 0 {
		if err := httpapi.Decode(r, &body, httpapi.DecodeOptions{}); err != nil {
			return nil, err
		}
	}
	if len(body.Roles) == 0 || string(body.Roles) == "null" {
		return nil, nil
	}
	var items []map[string]any
	if err := json.Unmarshal(body.Roles, &items); err != nil {
		return nil, apierr.BadRequest("Invalid input for field 'roles': expected an array of objects.")
	}
	refs := make([]oauth1.RoleRef, 0, len(items))
	for i, it := range items {
		if len(it) != 1 {
			return nil, apierr.BadRequest("Invalid input for field 'roles/%d': exactly one of 'id' or 'name' is required.", i)
		}
		var ref oauth1.RoleRef
		for k, v := range it {
			s, ok := v.(string)
			if !ok || s == "" || len(s) > 255 {
				return nil, apierr.BadRequest("Invalid input for field 'roles/%d/%s': expected a non-empty string.", i, k)
			}
			switch k {
			case "id":
				ref.ID = s
			case "name":
				ref.Name = s
			default:
				return nil, apierr.BadRequest("Additional properties are not allowed ('%s' was unexpected).", k)
			}
		}
		refs = append(refs, ref)
	}
	return refs, nil
}

// Authorize is PUT /v3/OS-OAUTH1/authorize/{request_token_id}.
func (h *Handler) Authorize(w http.ResponseWriter, r *http.Request) error {
	refs, err := decodeRoles(r)
	if err != nil {
		return err
	}
	v, err := h.svc.Authorize(r.Context(), keystone.Creds(r), r.PathValue("request_token_id"), refs)
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusOK, "token", map[string]any{"oauth_verifier": v})
}

// renderAccessToken renders an access token as Keystone's
// _format_token_entity: no secret, no role ids, links to itself and its
// roles.
func renderAccessToken(r *http.Request, at *oauth1.AccessToken) map[string]any {
	self := "users/" + at.AuthorizingUserID + "/OS-OAUTH1/access_tokens/" + at.ID
	links := keystone.Link(r, self)
	links["roles"] = httpapi.BaseURL(r) + "/v3/" + self + "/roles"
	var exp any
	if at.ExpiresAt != nil {
		exp = expiresAt(at.ExpiresAt)
	}
	return map[string]any{
		"id":                  at.ID,
		"consumer_id":         at.ConsumerID,
		"project_id":          at.ProjectID,
		"authorizing_user_id": at.AuthorizingUserID,
		"expires_at":          exp,
		"links":               links,
	}
}

// ListAccessTokens is GET /v3/users/{user_id}/OS-OAUTH1/access_tokens.
func (h *Handler) ListAccessTokens(w http.ResponseWriter, r *http.Request) error {
	l, err := h.svc.ListAccessTokens(r.Context(), keystone.Creds(r), r.PathValue("user_id"))
	if err != nil {
		return err
	}
	items := make([]map[string]any, 0, len(l))
	for _, at := range l {
		items = append(items, renderAccessToken(r, at))
	}
	return keystone.WriteList(w, r, "access_tokens", items)
}

// ShowAccessToken is GET /v3/users/{user_id}/OS-OAUTH1/access_tokens/{id}.
func (h *Handler) ShowAccessToken(w http.ResponseWriter, r *http.Request) error {
	at, err := h.svc.GetAccessToken(r.Context(), keystone.Creds(r), r.PathValue("user_id"), r.PathValue("access_token_id"))
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusOK, "access_token", renderAccessToken(r, at))
}

// DeleteAccessToken is DELETE /v3/users/{user_id}/OS-OAUTH1/access_tokens/{id}.
func (h *Handler) DeleteAccessToken(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteAccessToken(r.Context(), keystone.Creds(r), r.PathValue("user_id"), r.PathValue("access_token_id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// renderRole is a role as Keystone's _format_role_entity shows it in an
// access token: without its description.
func renderRole(m map[string]any) map[string]any {
	delete(m, "description")
	return m
}

// ListAccessTokenRoles is GET …/access_tokens/{id}/roles.
func (h *Handler) ListAccessTokenRoles(w http.ResponseWriter, r *http.Request) error {
	roles, err := h.svc.AccessTokenRoles(r.Context(), r.PathValue("user_id"), r.PathValue("access_token_id"))
	if err != nil {
		return err
	}
	items := make([]map[string]any, 0, len(roles))
	for _, ro := range roles {
		items = append(items, renderRole(asgapi.RenderRole(r, ro)))
	}
	return keystone.WriteList(w, r, "roles", items)
}

// ShowAccessTokenRole is GET …/access_tokens/{id}/roles/{role_id}.
func (h *Handler) ShowAccessTokenRole(w http.ResponseWriter, r *http.Request) error {
	ro, err := h.svc.AccessTokenRole(r.Context(), r.PathValue("user_id"), r.PathValue("access_token_id"), r.PathValue("role_id"))
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusOK, "role", renderRole(asgapi.RenderRole(r, ro)))
}
