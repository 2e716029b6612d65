package middleware

import "github.com/gostack/gostack/internal/objectstorage/swift"

// Path is a /v1 request path split into its names, unescaped. Container
// and Object are empty for shorter paths; Object keeps any slashes it has.
type Path struct {
	Version   string
	Account   string
	Container string
	Object    string
}

// SplitPath splits an unescaped path such as "/v1/AUTH_x/c/o/with/slashes"
// as Swift's split_path(path, 2, 4, rest_with_last=True) does: the version
// and account are required, no name before the object may be empty. It
// reports false for anything else.
func SplitPath(p string) (Path, bool) {
	segs, err := swift.SplitPath(p, 2, 4, true)
	if err != nil {
		return Path{}, false
	}
	return Path{Version: segs[0], Account: segs[1], Container: segs[2], Object: segs[3]}, true
}

// IsObject reports whether the path names an object.
func (p Path) IsObject() bool { return p.Container != "" && p.Object != "" }

// IsContainer reports whether the path names a container (and no object).
func (p Path) IsContainer() bool { return p.Container != "" && p.Object == "" }

// IsAccount reports whether the path names only an account.
func (p Path) IsAccount() bool { return p.Container == "" }

// AccountPath returns "/<version>/<account>", unescaped.
func (p Path) AccountPath() string { return "/" + p.Version + "/" + p.Account }

// ContainerPath returns "/<version>/<account>/<container>", unescaped.
func (p Path) ContainerPath() string { return p.AccountPath() + "/" + p.Container }

// String returns the path as it was split, unescaped.
func (p Path) String() string {
	s := p.AccountPath()
	if p.Container != "" {
		s += "/" + p.Container
		if p.Object != "" {
			s += "/" + p.Object
		}
	}
	return s
}

// Quote escapes an unescaped path for a subrequest URL, keeping "/", as
// Swift's wsgi_quote does.
func Quote(p string) string { return swift.Quote(p, "/") }
