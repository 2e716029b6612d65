package bus

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// User is one NATS user of the cluster's authorization block: a process
// role and the subjects it may publish and subscribe to.
type User struct {
	Name, Password string
	Publish        []string
	Subscribe      []string
	// Responses lets the user answer requests sent to the subjects it
	// subscribes to (NATS's allow_responses), without publishing
	// anywhere else.
	Responses bool
}

// InboxPrefix is where a user's request replies arrive: its own branch
// of _INBOX, so that a user may subscribe to its replies and to no one
// else's. Connect uses it for a URL that names a user.
func InboxPrefix(user string) string { return "_INBOX." + subjectToken(user) }

// subjectToken makes s one subject token.
func subjectToken(s string) string {
	return strings.NewReplacer(".", "_", "*", "_", ">", "_", " ", "_").Replace(s)
}

// NewPassword is a random password for a bus user.
func NewPassword() string {
	b := make([]byte, 24)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// AuthConfig renders users as a nats-server authorization block, to be
// included in every cluster member's configuration. Passwords are
// stored as bcrypt hashes; every user also subscribes to its own inbox.
func AuthConfig(users []User) (string, error) {
	var b strings.Builder
	b.WriteString("# gostack's bus users (gostack admin bus-users); include in every NATS server's configuration\nauthorization {\n  users = [\n")
	for _, u := range users {
		hash, err := bcrypt.GenerateFromPassword([]byte(u.Password), 11)
		if err != nil {
			return "", err
		}
		sub := append(append([]string(nil), u.Subscribe...), InboxPrefix(u.Name)+".>")
		sort.Strings(sub)
		fmt.Fprintf(&b, "    {\n      user: %q\n      password: %q\n      permissions: {\n", u.Name, string(hash))
		fmt.Fprintf(&b, "        publish: { allow: %s }\n", quoteList(u.Publish))
		fmt.Fprintf(&b, "        subscribe: { allow: %s }\n", quoteList(sub))
		if u.Responses {
			b.WriteString("        allow_responses: true\n")
		}
		b.WriteString("      }\n    }\n")
	}
	b.WriteString("  ]\n}\n")
	return b.String(), nil
}

func quoteList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// WithUser puts user and password into every server URL of a
// comma-separated bus URL.
func WithUser(busURL, user, password string) (string, error) {
	var out []string
	for _, s := range strings.Split(busURL, ",") {
		u, err := url.Parse(strings.TrimSpace(s))
		if err != nil || u.Host == "" {
			return "", fmt.Errorf("bus URL %q: not a nats://host:port URL", s)
		}
		u.User = url.UserPassword(user, password)
		out = append(out, u.String())
	}
	return strings.Join(out, ","), nil
}

// urlUser is the user named by the first server of a bus URL, if any.
func urlUser(busURL string) string {
	first, _, _ := strings.Cut(busURL, ",")
	u, err := url.Parse(strings.TrimSpace(first))
	if err != nil || u.User == nil {
		return ""
	}
	return u.User.Username()
}
