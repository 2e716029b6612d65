// Package authn is authentication: POST /v3/auth/tokens with the
// password, token and application_credential methods and trust scoping,
// Fernet token issue and validation (expiry, revocation events, enabled
// user and scope, roles recomputed from the current assignments), and
// the delegations a token can carry: application credentials (with
// access rules, managed here), OS-TRUST trusts (managed by package
// trust) and OS-OAUTH1 access tokens (managed by package oauth1). The
// tokens of requests whose signatures the API checked are issued here:
// IssueEC2 for an ec2 credential (package ec2, /v3/ec2tokens and
// /v3/s3tokens), IssueOAuth1 for the oauth1 method (package oauth1),
// IssueFederated for a federated login.
//
//	AuthRequest ─▶ Authenticate ─▶ directory (user, password, scope)
//	                    │          assignment (effective roles)
//	                    ▼
//	              token.Payload ─▶ token.Sealer ─▶ Fernet token
//	Fernet token ─▶ ValidateToken ─▶ cache (gen) ─▶ buildToken ─▶ auth.Credentials
//
// Validation is cached for validationCacheTTL; any write that changes
// what a token grants bumps a generation (Changed, Invalidate) so that
// this process sees it at once.
package authn
