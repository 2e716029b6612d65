// Package authn is authentication: POST /v3/auth/tokens with the
// password, token and application_credential methods and trust scoping,
// Fernet token issue and validation (expiry, revocation events, enabled
// user and scope, roles recomputed from the current assignments), and
// the two delegations a token can carry: application credentials (with
// access rules) and OS-TRUST trusts. IssueEC2 issues the token of an ec2
// credential whose request signature the API checked with package ec2
// (/v3/ec2tokens, /v3/s3tokens).
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
