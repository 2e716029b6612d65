package metadata

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/gostack/gostack/internal/compute"
)

// Nova keeps the password a guest posts (encrypted with the instance's
// public key by the guest) in four system metadata items of 255
// characters (nova.api.metadata.password).
const (
	passwordChunks   = 4
	passwordChunkLen = 255
	// MaxPasswordSize is the largest password body a guest may post.
	MaxPasswordSize = passwordChunks * passwordChunkLen
)

// PasswordStore keeps the password a guest posts to
// openstack/<version>/password. The compute API's os-server-password
// reads and clears it.
type PasswordStore interface {
	// SetPassword stores password as the instance's system metadata
	// (PasswordMetadata gives the items).
	SetPassword(ctx context.Context, instanceID, password string) error
}

// PasswordMetadata is the system metadata that holds password: Nova's
// convert_password, password_0 … password_3. An empty password gives four
// empty items, which clear it.
func PasswordMetadata(password string) map[string]string {
	md := make(map[string]string, passwordChunks)
	for i := range passwordChunks {
		n := min(len(password), passwordChunkLen)
		md[fmt.Sprintf("password_%d", i)] = password[:n]
		password = password[n:]
	}
	return md
}

// ExtractPassword is the password kept in system metadata; "" when none.
func ExtractPassword(systemMetadata map[string]string) string {
	var keys []string
	for k := range systemMetadata {
		if strings.HasPrefix(k, "password_") {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(systemMetadata[k])
	}
	return b.String()
}

// Passwords keeps the passwords guests post in their instances' system
// metadata: the PasswordStore of the all-in-one.
type Passwords struct{ Store compute.Store }

// SetPassword keeps a password a guest posted ("" clears it).
func (p Passwords) SetPassword(ctx context.Context, id, password string) error {
	_, err := compute.UpdateInstance(ctx, p.Store, id, func(inst *compute.Instance) error {
		if inst.SystemMetadata == nil {
			inst.SystemMetadata = map[string]string{}
		}
		maps.Copy(inst.SystemMetadata, PasswordMetadata(password))
		return nil
	})
	return err
}
