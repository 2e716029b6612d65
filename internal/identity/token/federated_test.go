package token

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
)

// TestFederatedPayloads round-trips the federated kinds (Keystone's
// versions 4, 5 and 6): the groups, identity provider and protocol of a
// federated login survive sealing, next to the scope.
func TestFederatedPayloads(t *testing.T) {
	exp := time.Now().Add(time.Hour).Truncate(time.Second).UTC()
	groups := []string{uuid.NewString(), "plain-group-id"}
	cases := []Payload{
		{Kind: FederatedUnscoped, UserID: "shadow", Methods: []string{"mapped"}, GroupIDs: groups, IdPID: "idp1", ProtocolID: "saml2"},
		{Kind: FederatedUnscoped, UserID: uuid.NewString(), Methods: []string{"openid"}, IdPID: uuid.NewString(), ProtocolID: "openid"},
		{Kind: FederatedProject, UserID: "u", Methods: []string{"token", "mapped"}, ProjectID: uuid.NewString(), GroupIDs: groups, IdPID: "idp", ProtocolID: "mapped"},
		{Kind: FederatedDomain, UserID: "u", Methods: []string{"token", "saml2"}, DomainID: "default", GroupIDs: groups[:1], IdPID: "idp", ProtocolID: "saml2"},
	}
	for _, c := range cases {
		c.ExpiresAt, c.AuditIDs = exp, []string{NewAuditID()}
		b, err := c.Encode()
		if err != nil {
			t.Fatal(err)
		}
		got, err := Decode(b)
		if err != nil {
			t.Fatalf("kind %d: %v", c.Kind, err)
		}
		if diff := cmp.Diff(&c, got); diff != "" {
			t.Errorf("kind %d round trip (-want +got):\n%s", c.Kind, diff)
		}
	}
	// A federated kind without its federated fields is malformed.
	short := Payload{Kind: Unscoped, UserID: "u", ExpiresAt: exp, AuditIDs: []string{NewAuditID()}}
	b, _ := short.Encode()
	b[1] = byte(FederatedUnscoped)
	if _, err := Decode(b); err == nil {
		t.Error("an unscoped body under the federated kind decoded")
	}
}
