package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/gostack/gostack/internal/platform/auth"
)

// tokenBody is the part of Keystone's {"token": {...}} the client reads.
type tokenBody struct {
	Token struct {
		Methods   []string `json:"methods"`
		AuditIDs  []string `json:"audit_ids"`
		ExpiresAt string   `json:"expires_at"`
		IssuedAt  string   `json:"issued_at"`
		User      *ref     `json:"user"`
		Project   *ref     `json:"project"`
		Domain    *ref     `json:"domain"`
		System    *struct {
			All bool `json:"all"`
		} `json:"system"`
		Roles []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"roles"`
		IsAdminProject *bool `json:"is_admin_project"`
		Trust          *struct {
			ID          string `json:"id"`
			TrusteeUser struct {
				ID string `json:"id"`
			} `json:"trustee_user"`
			TrustorUser struct {
				ID string `json:"id"`
			} `json:"trustor_user"`
		} `json:"OS-TRUST:trust"`
		ApplicationCredential *struct {
			ID string `json:"id"`
		} `json:"application_credential"`
	} `json:"token"`
}

// decodeToken maps a Keystone token body to credentials.
func decodeToken(r io.Reader) (*auth.Credentials, error) {
	var b tokenBody
	if err := json.NewDecoder(io.LimitReader(r, 8<<20)).Decode(&b); err != nil {
		return nil, fmt.Errorf("decode token body: %w", err)
	}
	t := b.Token
	if t.User == nil || t.User.ID == "" {
		return nil, errors.New("token body has no user")
	}
	c := &auth.Credentials{
		UserID:   t.User.ID,
		UserName: t.User.Name,
		Methods:  t.Methods,
		AuditIDs: t.AuditIDs,
		// keystoneauth's and keystonemiddleware's reading: a token without
		// is_admin_project counts as admin-project (Keystone leaves it out
		// when no admin project is configured, and for non-project scopes).
		IsAdminProject: t.IsAdminProject == nil || *t.IsAdminProject,
	}
	if d := t.User.Domain; d != nil {
		c.UserDomainID, c.UserDomainName = d.ID, d.Name
	}
	var err error
	if c.ExpiresAt, err = parseTime(t.ExpiresAt); err != nil {
		return nil, fmt.Errorf("token expires_at: %w", err)
	}
	if c.IssuedAt, err = parseTime(t.IssuedAt); err != nil {
		return nil, fmt.Errorf("token issued_at: %w", err)
	}
	switch {
	case t.Project != nil:
		c.ProjectID, c.ProjectName = t.Project.ID, t.Project.Name
		if d := t.Project.Domain; d != nil {
			c.ProjectDomainID, c.ProjectDomainName = d.ID, d.Name
		}
	case t.Domain != nil:
		c.DomainID, c.DomainName = t.Domain.ID, t.Domain.Name
	case t.System != nil && t.System.All:
		c.System = "all"
	}
	for _, r := range t.Roles {
		c.Roles = append(c.Roles, r.Name)
		c.RoleIDs = append(c.RoleIDs, r.ID)
	}
	if tr := t.Trust; tr != nil {
		c.TrustID, c.TrusteeUserID, c.TrustorUserID = tr.ID, tr.TrusteeUser.ID, tr.TrustorUser.ID
	}
	if ac := t.ApplicationCredential; ac != nil {
		c.ApplicationCredentialID = ac.ID
	}
	return c, nil
}

// parseTime reads Keystone's timestamps ("2026-11-21T21:16:51.000000Z");
// empty is the zero time.
func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		// Some deployments omit the zone; Keystone's times are UTC.
		t, err = time.ParseInLocation("2006-01-02T15:04:05.999999", s, time.UTC)
	}
	return t.UTC(), err
}
