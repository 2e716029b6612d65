package api

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gostack/gostack/internal/dashboard"
	"github.com/gostack/gostack/internal/dashboard/keystone"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// CookieName is the session cookie.
const CookieName = "gostack_session"

// CSRFHeader carries the session's CSRF token on state-changing calls.
const CSRFHeader = "X-CSRF-Token"

// sessionJSON is what /auth/login, /auth/session and /auth/project
// answer: who is signed in where, what the catalog offers, and a CSRF
// token for the calls that change something.
type sessionJSON struct {
	User      userJSON      `json:"user"`
	Project   projectJSON   `json:"project"`
	Projects  []projectJSON `json:"projects"`
	Roles     []string      `json:"roles"`
	IsAdmin   bool          `json:"is_admin"`
	Services  []string      `json:"services"`
	Region    string        `json:"region"`
	ExpiresAt time.Time     `json:"expires_at"`
	CSRF      string        `json:"csrf"`
}

type userJSON struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Domain string `json:"domain"`
}

type projectJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

func (s *Server) sessionBody(sess *dashboard.Session) sessionJSON {
	out := sessionJSON{
		User:      userJSON{ID: sess.Scoped.User.ID, Name: sess.Scoped.User.Name, Domain: sess.Scoped.User.DomainName},
		Projects:  []projectJSON{},
		Roles:     sess.Scoped.Roles,
		IsAdmin:   sess.IsAdmin(),
		Services:  []string{},
		Region:    s.cfg.Region,
		ExpiresAt: sess.ExpiresAt().UTC(),
		CSRF:      sess.CSRF(),
	}
	if out.Roles == nil {
		out.Roles = []string{}
	}
	if p := sess.Scoped.Project; p != nil {
		out.Project = projectJSON{ID: p.ID, Name: p.Name}
	}
	for _, p := range sess.Projects {
		out.Projects = append(out.Projects, projectJSON{ID: p.ID, Name: p.Name})
	}
	for _, t := range sess.Services() {
		if t != s.cfg.Self {
			out.Services = append(out.Services, t)
		}
	}
	return out
}

// loginRequest is POST /auth/login's body.
type loginRequest struct {
	Domain   string `json:"domain"`
	Username string `json:"username"`
	Password string `json:"password"`
	// Project, by name or id, when not the user's first.
	Project string `json:"project"`
}

// login signs in with Keystone: a password login without scope, the
// projects the user may use, then a token scoped to the project asked
// for (or the first by name) with the catalog.
func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	if err := checkOrigin(r); err != nil {
		return err
	}
	var req loginRequest
	if err := httpapi.Decode(r, &req, httpapi.DecodeOptions{Strict: true, MaxBytes: 16 << 10}); err != nil {
		return err
	}
	if req.Domain == "" {
		req.Domain = "Default"
	}
	ctx := r.Context()
	unscoped, err := s.cfg.Identity.Password(ctx, req.Domain, req.Username, req.Password)
	if err != nil {
		return identityError(err)
	}
	sess, err := s.scopeNew(ctx, unscoped, req.Project)
	if err != nil {
		s.revoke(unscoped.ID)
		return err
	}
	// A session id from before this login (a shared browser) is dropped,
	// so that the new user gets a new id: no fixation.
	if c, err := r.Cookie(CookieName); err == nil {
		if old, ok := s.cfg.Sessions.Delete(c.Value); ok {
			s.revokeSession(old)
		}
	}
	id := s.cfg.Sessions.Create(sess)
	setCookie(w, r, id, sess.ExpiresAt())
	return writeSession(w, s.sessionBody(sess))
}

// scopeNew lists the projects of an unscoped login and scopes to the one
// asked for.
func (s *Server) scopeNew(ctx context.Context, unscoped dashboard.Token, want string) (*dashboard.Session, error) {
	projects, err := s.cfg.Identity.Projects(ctx, unscoped.ID)
	if err != nil {
		return nil, identityError(err)
	}
	if len(projects) == 0 {
		return nil, errf(http.StatusForbidden, "You are not authorized for any projects.")
	}
	p := projects[0]
	if want != "" {
		i := slices.IndexFunc(projects, func(p dashboard.Project) bool { return p.Name == want || p.ID == want })
		if i < 0 {
			return nil, errf(http.StatusForbidden, "You are not authorized for project %s.", want)
		}
		p = projects[i]
	}
	scoped, err := s.cfg.Identity.Scope(ctx, unscoped.ID, p.ID)
	if err != nil {
		return nil, identityError(err)
	}
	return &dashboard.Session{Unscoped: unscoped, Scoped: scoped, Projects: projects}, nil
}

// session answers who is signed in.
func (s *Server) session(w http.ResponseWriter, r *http.Request) error {
	_, sess, err := s.current(w, r)
	if err != nil {
		return err
	}
	return writeSession(w, s.sessionBody(&sess))
}

// switchProject rescopes the session to another project of the user's,
// with the unscoped token of the login.
func (s *Server) switchProject(w http.ResponseWriter, r *http.Request, id string, sess dashboard.Session) error {
	var req struct {
		ProjectID string `json:"project_id"`
	}
	if err := httpapi.Decode(r, &req, httpapi.DecodeOptions{Strict: true, MaxBytes: 16 << 10}); err != nil {
		return err
	}
	if req.ProjectID == "" {
		return errf(http.StatusBadRequest, "project_id is required.")
	}
	ctx := r.Context()
	projects := sess.Projects
	if _, ok := sess.Project(req.ProjectID); !ok {
		// A role given since the login counts: ask Keystone again.
		fresh, err := s.cfg.Identity.Projects(ctx, sess.Unscoped.ID)
		if err != nil {
			return identityError(err)
		}
		projects = fresh
		if !slices.ContainsFunc(projects, func(p dashboard.Project) bool { return p.ID == req.ProjectID }) {
			return errf(http.StatusForbidden, "You are not authorized for project %s.", req.ProjectID)
		}
	}
	scoped, err := s.cfg.Identity.Scope(ctx, sess.Unscoped.ID, req.ProjectID)
	if err != nil {
		var ke *keystone.Error
		if errors.As(err, &ke) && (ke.Status == http.StatusUnauthorized || ke.Status == http.StatusForbidden) {
			// The session stands; only this project is refused.
			return errf(http.StatusForbidden, "%s", ke.Message)
		}
		return identityError(err)
	}
	next := dashboard.Session{Unscoped: sess.Unscoped, Scoped: scoped, Projects: projects}
	old, ok := s.cfg.Sessions.Replace(id, next)
	if !ok {
		s.revoke(scoped.ID)
		return errf(http.StatusUnauthorized, "The session has ended: sign in again.")
	}
	s.revoke(old.Scoped.ID)
	cur, _ := s.cfg.Sessions.Get(id)
	return writeSession(w, s.sessionBody(&cur))
}

// logout revokes the session's tokens in Keystone and forgets it.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	c, err := r.Cookie(CookieName)
	if err != nil {
		clearCookie(w, r)
		return httpapi.NoContent(w)
	}
	sess, ok := s.cfg.Sessions.Get(c.Value)
	if !ok {
		clearCookie(w, r)
		return httpapi.NoContent(w)
	}
	if err := checkCSRF(r, &sess); err != nil {
		return err
	}
	if sess, ok = s.cfg.Sessions.Delete(c.Value); ok {
		s.revokeSession(sess)
	}
	clearCookie(w, r)
	return httpapi.NoContent(w)
}

// revokeSession revokes both tokens of a session.
func (s *Server) revokeSession(sess dashboard.Session) {
	s.revoke(sess.Scoped.ID)
	s.revoke(sess.Unscoped.ID)
}

// revoke revokes a token, on a context of its own: a browser that went
// away must not leave the token alive.
func (s *Server) revoke(token string) {
	if token == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.cfg.Identity.Revoke(ctx, token); err != nil {
		s.log.Warn("dashboard: revoke token", "err", err)
	}
}

// current returns the request's session, or a 401 (clearing a stale
// cookie).
func (s *Server) current(w http.ResponseWriter, r *http.Request) (string, dashboard.Session, error) {
	c, err := r.Cookie(CookieName)
	if err != nil || c.Value == "" {
		return "", dashboard.Session{}, errf(http.StatusUnauthorized, "Not signed in.")
	}
	sess, ok := s.cfg.Sessions.Get(c.Value)
	if !ok {
		clearCookie(w, r)
		return "", dashboard.Session{}, errf(http.StatusUnauthorized, "The session has expired or ended: sign in again.")
	}
	return c.Value, sess, nil
}

// csrf wraps a handler of a state-changing call: it needs a session, the
// session's CSRF token and, when the browser names one, our own origin.
func (s *Server) csrf(h func(http.ResponseWriter, *http.Request, string, dashboard.Session) error) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, sess, err := s.current(w, r)
		if err != nil {
			return err
		}
		if err := checkCSRF(r, &sess); err != nil {
			return err
		}
		return h(w, r, id, sess)
	}
}

// checkCSRF checks a call that is not GET or HEAD.
func checkCSRF(r *http.Request, sess *dashboard.Session) error {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return nil
	}
	if err := checkOrigin(r); err != nil {
		return err
	}
	if !sess.CheckCSRF(r.Header.Get(CSRFHeader)) {
		return errf(http.StatusForbidden, "CSRF token missing or wrong")
	}
	return nil
}

// checkOrigin refuses a request another site's page made: its Origin,
// when the browser sends one, must be the dashboard's own, and
// Sec-Fetch-Site must not say cross-site.
func checkOrigin(r *http.Request) error {
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		return errf(http.StatusForbidden, "Cross-site request refused.")
	}
	o := r.Header.Get("Origin")
	if o == "" {
		return nil
	}
	if !strings.EqualFold(o, httpapi.BaseURL(r)) {
		return errf(http.StatusForbidden, "Origin %s is not this dashboard's.", o)
	}
	return nil
}

// identityError maps what Keystone answered to the dashboard's answer,
// with Keystone's message.
func identityError(err error) error {
	var ke *keystone.Error
	if errors.As(err, &ke) {
		code := ke.Status
		if code >= 500 {
			code = http.StatusBadGateway
		}
		return errf(code, "%s", ke.Message)
	}
	return errf(http.StatusBadGateway, "Identity could not be reached: %v", err)
}

func writeSession(w http.ResponseWriter, body sessionJSON) error {
	w.Header().Set("Cache-Control", "no-store")
	return httpapi.WriteJSON(w, http.StatusOK, body)
}

func setCookie(w http.ResponseWriter, r *http.Request, id string, expires time.Time) {
	http.SetCookie(w, &http.Cookie{
		Name: CookieName, Value: id, Path: "/", Expires: expires,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil,
	})
}

func clearCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{
		Name: CookieName, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil,
	})
}
