// Package federation is Keystone's OS-FEDERATION: identity providers and
// their protocols, mappings in Keystone's mapping-rule language, service
// providers, and the federated login that turns an assertion (what a
// trusted front end such as mod_auth_openidc or Shibboleth passes in
// request headers) into a local identity.
//
//	assertion ──▶ IdP enabled? remote id accepted? ──▶ protocol's mapping
//	                                                      │ Process (rules)
//	                                                      ▼
//	            ephemeral user: shadow user in the IdP's domain, mapped
//	            groups as memberships (one transaction)  │  local user: found
//	                                                      ▼
//	                                  Login: the user and its groups, from
//	                                  which identity/authn issues a token
//
// The rule engine (Validate, Process) is pure; Service holds the use
// cases over a Store.
package federation
