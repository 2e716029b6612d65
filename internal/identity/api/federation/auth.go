package federation

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"

	"github.com/gostack/gostack/internal/identity/authn"
	"github.com/gostack/gostack/internal/identity/federation"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// assertionOf reads the assertion from the request headers, as a front
// end (mod_auth_openidc, Shibboleth, a proxy) passes it. Only such a
// front end may reach these routes: it must strip the same headers from
// what clients send. Repeated headers are one multi-valued attribute.
func assertionOf(r *http.Request) federation.Assertion {
	a := federation.Assertion{}
	for k, vs := range r.Header {
		a[k] = strings.Join(vs, ";")
	}
	return a
}

// method is the auth method a federated token records: the protocol's
// name when Keystone knows it as a method, else "mapped".
func method(protocolID string) string {
	switch protocolID {
	case "saml2", "openid", "mapped":
		return protocolID
	}
	return "mapped"
}

// login authenticates the assertion and issues its unscoped token.
func (h *Handler) login(ctx context.Context, r *http.Request, idpID, protocolID string) (*authn.Token, string, error) {
	l, err := h.svc.Login(ctx, idpID, protocolID, assertionOf(r))
	if err != nil {
		return nil, "", err
	}
	var fed *authn.Federation
	if l.Ephemeral {
		fed = &authn.Federation{IdPID: l.IdPID, ProtocolID: l.ProtocolID, GroupIDs: l.GroupIDs}
	}
	return h.authn.IssueFederated(ctx, l.User.ID, method(protocolID), fed)
}

// Auth is GET|POST /v3/OS-FEDERATION/identity_providers/{idp_id}/protocols/{protocol_id}/auth:
// an unscoped token for the assertion.
func (h *Handler) Auth(w http.ResponseWriter, r *http.Request) error {
	t, id, err := h.login(r.Context(), r, r.PathValue("idp_id"), r.PathValue("protocol_id"))
	if err != nil {
		return err
	}
	return h.issued(w, r, t, id)
}

// origin is the dashboard a web single sign-on posts the token to: the
// origin query parameter, which must be a trusted dashboard.
func (h *Handler) origin(r *http.Request) (string, error) {
	origin := r.URL.Query().Get("origin")
	if origin == "" {
		return "", apierr.BadRequest("Request must have an origin query parameter")
	}
	host, err := url.QueryUnescape(origin)
	if err != nil {
		host = origin
	}
	for _, t := range h.svc.Config().TrustedDashboards {
		if lowerHost(t) == host {
			return host, nil
		}
	}
	return "", apierr.Unauthorized("%s is not a trusted dashboard host", host)
}

// lowerHost lowercases the host name of a URL, as Keystone compares
// trusted dashboards.
func lowerHost(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return s
	}
	u.Host = strings.ToLower(u.Host)
	return u.String()
}

// WebSSO is GET|POST /v3/auth/OS-FEDERATION/websso/{protocol_id}: the
// identity provider is the one whose remote id the assertion carries.
func (h *Handler) WebSSO(w http.ResponseWriter, r *http.Request) error {
	ctx, protocolID := r.Context(), r.PathValue("protocol_id")
	idps, err := h.svc.ListIdPs(ctx, "", nil)
	if err != nil {
		return err
	}
	a := assertionOf(r)
	remoteID := ""
	for _, idp := range idps {
		p, err := h.svc.GetProtocol(ctx, idp.ID, protocolID)
		if err != nil {
			continue
		}
		if attr := h.svc.RemoteIDAttribute(p); attr != "" {
			if v, ok := a.Get(attr); ok && v != "" {
				remoteID = v
				break
			}
		}
	}
	if remoteID == "" {
		return apierr.Unauthorized("Missing entity ID from environment")
	}
	host, err := h.origin(r)
	if err != nil {
		return err
	}
	idp, err := h.svc.IdPByRemoteID(ctx, remoteID)
	if err != nil {
		return err
	}
	return h.sso(w, r, host, idp.ID, protocolID)
}

// IdPWebSSO is GET|POST
// /v3/auth/OS-FEDERATION/identity_providers/{idp_id}/protocols/{protocol_id}/websso.
func (h *Handler) IdPWebSSO(w http.ResponseWriter, r *http.Request) error {
	host, err := h.origin(r)
	if err != nil {
		return err
	}
	return h.sso(w, r, host, r.PathValue("idp_id"), r.PathValue("protocol_id"))
}

// sso authenticates and answers Keystone's callback page: a form that
// posts the token to the dashboard.
func (h *Handler) sso(w http.ResponseWriter, r *http.Request, host, idpID, protocolID string) error {
	_, id, err := h.login(r.Context(), r, idpID, protocolID)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=UTF-8")
	w.WriteHeader(http.StatusOK)
	_, err = w.Write([]byte(`<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml">
  <head>
    <title>Keystone WebSSO redirect</title>
  </head>
  <body>
     <form id="sso" name="sso" action="` + html.EscapeString(host) + `" method="post">
       Please wait...
       <br/>
       <input type="hidden" name="token" id="token" value="` + html.EscapeString(id) + `"/>
       <noscript>
         <input type="submit" name="submit_no_javascript" id="submit_no_javascript"
            value="If your JavaScript is disabled, please click to continue"/>
       </noscript>
     </form>
     <script type="text/javascript">
       window.onload = function() {
         document.forms['sso'].submit();
       }
     </script>
  </body>
</html>
`))
	return err
}
