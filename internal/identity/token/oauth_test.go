package token

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
)

// TestOAuthPayload round-trips Keystone's OAuth-scoped payload (version
// 7): the access token id travels next to the project, and a payload cut
// short of it is malformed.
func TestOAuthPayload(t *testing.T) {
	exp := time.Now().Add(time.Hour).Truncate(time.Second).UTC()
	cases := []Payload{
		{Kind: OAuth, UserID: uuid.NewString(), Methods: []string{"oauth1"}, ProjectID: "0123456789abcdef0123456789abcdef", AccessTokenID: "fedcba9876543210fedcba9876543210"},
		{Kind: OAuth, UserID: "u", Methods: []string{"oauth1"}, ProjectID: "plain", AccessTokenID: "not-a-uuid"},
	}
	for _, c := range cases {
		c.ExpiresAt, c.AuditIDs = exp, []string{NewAuditID()}
		b, err := c.Encode()
		if err != nil {
			t.Fatal(err)
		}
		got, err := Decode(b)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(&c, got); diff != "" {
			t.Errorf("round trip (-want +got):\n%s", diff)
		}
	}
	// A project-scoped body relabelled as OAuth lacks the access token.
	short := Payload{Kind: Project, UserID: "u", ProjectID: "p", ExpiresAt: exp, AuditIDs: []string{NewAuditID()}}
	b, _ := short.Encode()
	b[1] = byte(OAuth)
	if _, err := Decode(b); err == nil {
		t.Error("a project body under the OAuth kind decoded")
	}
}
