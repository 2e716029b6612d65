package dashboard

import (
	"embed"
	"io/fs"
)

// dist is the built single-page app (web/dist, committed so that `go
// build` needs no Node): index.html and its assets. The directory always
// holds at least an index.html, so the embed never fails the build.
//
//go:embed all:web/dist
var dist embed.FS

// Assets returns the built app, rooted at web/dist.
func Assets() fs.FS {
	sub, err := fs.Sub(dist, "web/dist")
	if err != nil {
		// fs.Sub fails only on an invalid path, and this one is a constant.
		panic(err)
	}
	return sub
}
