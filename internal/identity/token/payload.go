package token

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/google/uuid"
	"github.com/vmihailenco/msgpack/v5"
)

// Kind is the payload version byte: what the token is scoped to.
type Kind int

// The payload versions, numbered as Keystone numbers its formats.
const (
	Unscoped Kind = 0
	Domain   Kind = 1
	Project  Kind = 2
	Trust    Kind = 3
	OAuth    Kind = 7
	System   Kind = 8
	AppCred  Kind = 9

	// The federated kinds carry the groups, identity provider and
	// protocol of a federated login (OS-FEDERATION).
	FederatedUnscoped Kind = 4
	FederatedProject  Kind = 5
	FederatedDomain   Kind = 6
)

// Payload is what a token carries.
type Payload struct {
	Kind      Kind
	UserID    string
	Methods   []string
	ProjectID string // Project, Trust, AppCred
	DomainID  string // Domain
	System    string // System: "all"
	TrustID   string // Trust
	AppCredID string // AppCred
	// AccessTokenID is the OS-OAUTH1 access token of an OAuth kind.
	AccessTokenID string
	ExpiresAt     time.Time
	// AuditIDs is the token's own audit id then, for a rescoped token,
	// the audit id of the chain it came from.
	AuditIDs []string
	// GroupIDs, IdPID and ProtocolID: the federated kinds.
	GroupIDs   []string
	IdPID      string
	ProtocolID string
}

// Federated reports whether k is one of the federated kinds.
func (k Kind) Federated() bool {
	return k == FederatedUnscoped || k == FederatedProject || k == FederatedDomain
}

// ToFederated is the federated kind of the same scope as k (unscoped,
// project or domain).
func (k Kind) ToFederated() Kind {
	switch k {
	case Project:
		return FederatedProject
	case Domain:
		return FederatedDomain
	}
	return FederatedUnscoped
}

// Scope is the plain kind of the same scope as a federated kind k; other
// kinds are themselves.
func (k Kind) Scope() Kind {
	switch k {
	case FederatedProject:
		return Project
	case FederatedDomain:
		return Domain
	case FederatedUnscoped:
		return Unscoped
	}
	return k
}

// methodBits maps auth methods to the payload's bitmask, in Keystone's
// default order.
var methodBits = []string{"external", "password", "token", "oauth1", "mapped", "application_credential", "totp", "saml2", "openid"}

// MethodsMask packs methods into a bitmask; unknown methods are dropped.
func MethodsMask(methods []string) int {
	m := 0
	for _, name := range methods {
		for i, b := range methodBits {
			if b == name {
				m |= 1 << i
			}
		}
	}
	return m
}

// MaskMethods is the reverse of MethodsMask.
func MaskMethods(m int) []string {
	var out []string
	for i, b := range methodBits {
		if m&(1<<i) != 0 {
			out = append(out, b)
		}
	}
	return out
}

// packID turns a UUID-shaped id into 16 bytes, as Keystone does, and
// leaves anything else as text.
func packID(id string) []any {
	if len(id) == 32 || len(id) == 36 {
		if u, err := uuid.Parse(id); err == nil {
			// Remember the dashed form so that ids round-trip exactly.
			return []any{len(id) == 36, u[:]}
		}
	}
	return []any{nil, id}
}

func unpackID(v any) (string, error) {
	a, ok := v.([]any)
	if !ok || len(a) != 2 {
		return "", errors.New("bad id")
	}
	switch x := a[1].(type) {
	case string:
		if a[0] != nil {
			return "", errors.New("bad id")
		}
		return x, nil
	case []byte:
		dashed, ok := a[0].(bool)
		if !ok || len(x) != 16 {
			return "", errors.New("bad id")
		}
		u, _ := uuid.FromBytes(x)
		if dashed {
			return u.String(), nil
		}
		return fmt.Sprintf("%x", x), nil
	}
	return "", errors.New("bad id")
}

// packAudit turns a 22-character audit id into its 16 bytes.
func packAudit(id string) any {
	if b, err := base64.RawURLEncoding.DecodeString(id); err == nil && len(b) == 16 && base64.RawURLEncoding.EncodeToString(b) == id {
		return b
	}
	return id
}

func unpackAudit(v any) (string, error) {
	switch x := v.(type) {
	case []byte:
		return base64.RawURLEncoding.EncodeToString(x), nil
	case string:
		return x, nil
	}
	return "", errors.New("bad audit id")
}

// Encode renders p as msgpack.
func (p *Payload) Encode() ([]byte, error) {
	audit := make([]any, len(p.AuditIDs))
	for i, a := range p.AuditIDs {
		audit[i] = packAudit(a)
	}
	exp := float64(p.ExpiresAt.UnixMicro()) / 1e6
	fields := []any{int(p.Kind), packID(p.UserID), MethodsMask(p.Methods)}
	switch p.Kind {
	case Unscoped, FederatedUnscoped:
	case Domain, FederatedDomain:
		fields = append(fields, packID(p.DomainID))
	case Project, FederatedProject:
		fields = append(fields, packID(p.ProjectID))
	case System:
		fields = append(fields, p.System)
	case Trust:
		fields = append(fields, packID(p.ProjectID))
	case AppCred:
		fields = append(fields, packID(p.ProjectID))
	case OAuth:
		// Keystone's OauthScopedPayload puts the access token next to
		// the project, before the expiry.
		fields = append(fields, packID(p.ProjectID), packID(p.AccessTokenID))
	default:
		return nil, fmt.Errorf("unknown payload kind %d", p.Kind)
	}
	if p.Kind.Federated() {
		groups := make([]any, len(p.GroupIDs))
		for i, g := range p.GroupIDs {
			groups[i] = packID(g)
		}
		fields = append(fields, groups, packID(p.IdPID), p.ProtocolID)
	}
	fields = append(fields, exp, audit)
	switch p.Kind {
	case Trust:
		fields = append(fields, packID(p.TrustID))
	case AppCred:
		fields = append(fields, packID(p.AppCredID))
	}
	return msgpack.Marshal(fields)
}

func asInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int8:
		return int64(x), true
	case int16:
		return int64(x), true
	case int32:
		return int64(x), true
	case int64:
		return x, true
	case uint8:
		return int64(x), true
	case uint16:
		return int64(x), true
	case uint32:
		return int64(x), true
	case uint64:
		if x > math.MaxInt32 {
			return 0, false
		}
		return int64(x), true
	}
	return 0, false
}

// Decode parses a payload. It never panics, whatever b holds.
func Decode(b []byte) (*Payload, error) {
	if err := checkShape(b); err != nil {
		return nil, err
	}
	var fields []any
	if err := msgpack.Unmarshal(b, &fields); err != nil {
		return nil, fmt.Errorf("token payload: %w", err)
	}
	bad := errors.New("token payload: malformed")
	if len(fields) < 5 {
		return nil, bad
	}
	k, ok := asInt(fields[0])
	if !ok {
		return nil, bad
	}
	p := &Payload{Kind: Kind(k)}
	var err error
	if p.UserID, err = unpackID(fields[1]); err != nil {
		return nil, bad
	}
	mask, ok := asInt(fields[2])
	if !ok || mask < 0 {
		return nil, bad
	}
	p.Methods = MaskMethods(int(mask))
	rest := fields[3:]
	want := 3
	switch p.Kind {
	case Unscoped:
		want = 2
	case Trust, AppCred, OAuth:
		want = 4
	case FederatedUnscoped:
		want = 5
	case FederatedProject, FederatedDomain:
		want = 6
	case Domain, Project, System:
	default:
		return nil, bad
	}
	if len(rest) != want {
		return nil, bad
	}
	if p.Kind != Unscoped && p.Kind != FederatedUnscoped {
		var id string
		if p.Kind == System {
			s, ok := rest[0].(string)
			if !ok {
				return nil, bad
			}
			id = s
		} else if id, err = unpackID(rest[0]); err != nil {
			return nil, bad
		}
		switch p.Kind {
		case Domain, FederatedDomain:
			p.DomainID = id
		case System:
			p.System = id
		default:
			p.ProjectID = id
		}
		rest = rest[1:]
	}
	if p.Kind == OAuth {
		if p.AccessTokenID, err = unpackID(rest[0]); err != nil {
			return nil, bad
		}
		rest = rest[1:]
	}
	if p.Kind.Federated() {
		groups, ok := rest[0].([]any)
		if !ok || len(groups) > 1000 {
			return nil, bad
		}
		for _, g := range groups {
			id, err := unpackID(g)
			if err != nil {
				return nil, bad
			}
			p.GroupIDs = append(p.GroupIDs, id)
		}
		if p.IdPID, err = unpackID(rest[1]); err != nil {
			return nil, bad
		}
		if p.ProtocolID, ok = rest[2].(string); !ok {
			return nil, bad
		}
		rest = rest[3:]
	}
	var exp float64
	switch x := rest[0].(type) {
	case float64:
		exp = x
	case float32:
		exp = float64(x)
	default:
		if n, ok := asInt(x); ok {
			exp = float64(n)
		} else {
			return nil, bad
		}
	}
	if math.IsNaN(exp) || math.IsInf(exp, 0) || exp < 0 || exp > 1e11 {
		return nil, bad
	}
	p.ExpiresAt = time.UnixMicro(int64(math.Round(exp * 1e6))).UTC()
	audit, ok := rest[1].([]any)
	if !ok || len(audit) == 0 || len(audit) > 2 {
		return nil, bad
	}
	for _, a := range audit {
		s, err := unpackAudit(a)
		if err != nil {
			return nil, bad
		}
		p.AuditIDs = append(p.AuditIDs, s)
	}
	if len(rest) == 3 {
		id, err := unpackID(rest[2])
		if err != nil {
			return nil, bad
		}
		if p.Kind == Trust {
			p.TrustID = id
		} else {
			p.AppCredID = id
		}
	}
	return p, nil
}
