package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gostack/gostack/internal/identity/credential"
	"github.com/gostack/gostack/internal/identity/oauth1"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// TestOAuth1Tokens: request tokens are authorized and traded once for an
// access token (two concurrent trades: one wins), access tokens round-trip
// with their roles and expiry, and a consumer's deletion takes its tokens
// with it.
func TestOAuth1Tokens(t *testing.T) {
	ctx := context.Background()
	s := newAuthStore(t)
	for _, id := range []string{"c1", "c2"} {
		if err := s.CreateConsumer(ctx, &credential.Consumer{ID: id, Secret: "cs"}); err != nil {
			t.Fatal(err)
		}
	}
	exp := time.Now().Add(time.Hour).UTC().Truncate(time.Microsecond)
	rt := &oauth1.RequestToken{ID: "rt1", Secret: "rs", ConsumerID: "c1", ProjectID: "p1", ExpiresAt: &exp}
	if err := s.CreateRequestToken(ctx, rt); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetRequestToken(ctx, "rt1")
	if err != nil {
		t.Fatal(err)
	}
	want := *rt
	want.RoleIDs = []string{}
	if diff := cmp.Diff(&want, got); diff != "" {
		t.Errorf("request token (-want +got):\n%s", diff)
	}
	if err := s.AuthorizeRequestToken(ctx, "rt1", "u1", []string{"r1", "r2"}, "ABCDEFGH"); err != nil {
		t.Fatal(err)
	}
	if err := s.AuthorizeRequestToken(ctx, "nope", "u1", nil, "ABCDEFGH"); !apierr.IsNotFound(err) {
		t.Errorf("authorizing a missing request token: %v", err)
	}
	got, _ = s.GetRequestToken(ctx, "rt1")
	want.AuthorizingUserID, want.RoleIDs, want.Verifier = "u1", []string{"r1", "r2"}, "ABCDEFGH"
	if diff := cmp.Diff(&want, got); diff != "" {
		t.Errorf("authorized request token (-want +got):\n%s", diff)
	}

	// Two trades of one request token: exactly one access token.
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, id := range []string{"at1", "at2"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.ExchangeRequestToken(ctx, "rt1", &oauth1.AccessToken{ID: id, Secret: "as", ConsumerID: "c1", ProjectID: "p1",
				AuthorizingUserID: "u1", RoleIDs: []string{"r1", "r2"}, ExpiresAt: &exp})
		}()
	}
	wg.Wait()
	if (errs[0] == nil) == (errs[1] == nil) || !(apierr.IsNotFound(errs[0]) || apierr.IsNotFound(errs[1])) {
		t.Fatalf("concurrent trades: %v, %v", errs[0], errs[1])
	}
	if _, err := s.GetRequestToken(ctx, "rt1"); !apierr.IsNotFound(err) {
		t.Errorf("request token after its trade: %v", err)
	}
	l, err := s.ListAccessTokens(ctx, "u1")
	if err != nil || len(l) != 1 {
		t.Fatalf("access tokens: %v, %v", l, err)
	}
	wantAT := &oauth1.AccessToken{ID: l[0].ID, Secret: "as", ConsumerID: "c1", ProjectID: "p1", AuthorizingUserID: "u1", RoleIDs: []string{"r1", "r2"}, ExpiresAt: &exp}
	if diff := cmp.Diff(wantAT, l[0]); diff != "" {
		t.Errorf("access token (-want +got):\n%s", diff)
	}
	if g, err := s.GetAccessToken(ctx, wantAT.ID); err != nil || !cmp.Equal(g, wantAT) {
		t.Errorf("get access token: %v, %v", g, err)
	}
	if l, _ := s.ListAccessTokens(ctx, "u2"); len(l) != 0 {
		t.Errorf("u2's access tokens: %v", l)
	}

	// A second consumer's tokens survive the first's deletion.
	if err := s.CreateRequestToken(ctx, &oauth1.RequestToken{ID: "rt2", Secret: "rs", ConsumerID: "c1", ProjectID: "p1"}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateRequestToken(ctx, &oauth1.RequestToken{ID: "rt3", Secret: "rs", ConsumerID: "c2", ProjectID: "p1"}); err != nil {
		t.Fatal(err)
	}
	if err := s.ExchangeRequestToken(ctx, "rt3", &oauth1.AccessToken{ID: "at3", Secret: "as", ConsumerID: "c2", ProjectID: "p1", AuthorizingUserID: "u1"}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteConsumer(ctx, "c1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetRequestToken(ctx, "rt2"); !apierr.IsNotFound(err) {
		t.Errorf("c1's request token after its deletion: %v", err)
	}
	if _, err := s.GetAccessToken(ctx, wantAT.ID); !apierr.IsNotFound(err) {
		t.Errorf("c1's access token after its deletion: %v", err)
	}
	at3, err := s.GetAccessToken(ctx, "at3")
	if err != nil || at3.ExpiresAt != nil || len(at3.RoleIDs) != 0 {
		t.Errorf("c2's access token: %+v, %v", at3, err)
	}
	if err := s.DeleteAccessToken(ctx, "at3"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteAccessToken(ctx, "at3"); !apierr.IsNotFound(err) {
		t.Errorf("second delete: %v", err)
	}
}
