// Package identity is gostack's Keystone v3. The Service here is a thin
// facade: it wires the parts together, bootstraps a new cloud, rotates
// the Fernet keys and holds the default policy rules. The parts are
// separate packages, layered one way (each uses only those above it):
//
//	directory   domains, projects, users (passwords), groups, domain config
//	catalog     regions, services, endpoints, endpoint groups, unified limits
//	credential  credentials (OS-EC2), policy blobs, OAuth1 consumers
//	assignment  roles, implied roles, grants, effective roles
//	oauth1      OS-OAUTH1: request and access tokens, their signatures
//	authn       tokens (issue, validate, revoke), application credentials
//	trust       OS-TRUST trusts (their tokens are authn's)
//	federation  OS-FEDERATION: identity providers, mappings, federated logins
//	token       Fernet payloads and the key repository
//	ec2         EC2 and S3 request signatures (/v3/ec2tokens, /v3/s3tokens)
//
// and the request flow is
//
//	client ──HTTP──▶ api/ (routes.go: method, path, policy, handler)
//	                   │
//	                   ▼
//	             directory, catalog, credential, assignment, authn, …
//	                   │
//	                   ▼
//	             Store (store/: SQL on SQLite or PostgreSQL)
//
// Every service of the all-in-one process validates tokens in-process:
// identity/spec gives the platform this service's authn.Service as
// service.Env's Identity, behind Env.Validator. A service running in
// another process validates through identity/client over HTTP instead.
package identity
