// Package swift is the vocabulary every part of object storage shares:
// Swift's timestamps, hash_path, the constraints and their checkers, the
// error bodies and transaction ids Swift puts on the wire, the caller
// carried in a request's context, metadata header prefixes, and
// streaming subrequests through a middleware chain.
package swift
