// Package identity is gostack's Keystone v3: domains, projects, users,
// groups, roles and their assignments, the service catalog, credentials,
// application credentials, trusts, unified limits, and Fernet tokens.
//
//	client ──HTTP──▶ api/ (routes.go: method, path, policy, handler)
//	                   │
//	                   ▼
//	             identity.Service ──▶ token/ (Fernet payloads, key repository)
//	                   │
//	                   ▼
//	             Store (store/: SQL on SQLite or PostgreSQL)
//
// Other services never import this package: they validate tokens through
// identity/client.
package identity
