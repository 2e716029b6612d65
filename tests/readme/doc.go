// Package readme checks the project's README.md: its code fences are
// well formed (each opens and closes, nothing follows a closing fence on
// its line, which would make the block swallow the rest of the page), and
// its walkthrough — the blocks fenced as ```sh walkthrough — runs as
// pasted, in order, in one shell, against a fresh cloud.
//
//	go test ./tests/readme/                                   # the fences
//	GOSTACK_BIN=$PWD/bin/gostack go test -v ./tests/readme/    # and the walkthrough
//
// The walkthrough runs in a scratch directory holding bin/gostack (the
// binary under test), tools/ (the repository's) and the cloud's ./data,
// with its own HOME, so that it creates its SSH key and OpenStack client
// files there and not in the caller's.
package readme
