package swift

import (
	"crypto/md5"
	"encoding/hex"
	"io"
)

// HashPath returns Swift's hash_path: the hex md5 of prefix + "/" +
// account [+ "/" + container [+ "/" + object]] + suffix, where prefix and
// suffix are swift.conf's swift_hash_path_prefix and _suffix. It names
// the partition and the on-disk directory of every account, container
// and object. An object without a container is a caller's bug; like
// Swift's hash_path, an empty container ends the path.
func HashPath(prefix, suffix, account, container, object string) string {
	sum := HashPathRaw(prefix, suffix, account, container, object)
	return hex.EncodeToString(sum[:])
}

// HashPathRaw is HashPath's digest before hex encoding; the ring takes
// the partition from its first four bytes.
func HashPathRaw(prefix, suffix, account, container, object string) [md5.Size]byte {
	// Most paths fit a stack buffer, which md5.Sum hashes without
	// allocating; longer ones stream through a digest.
	var buf [512]byte
	n := len(prefix) + 1 + len(account) + len(suffix)
	if container != "" {
		n += 1 + len(container)
		if object != "" {
			n += 1 + len(object)
		}
	}
	if n <= len(buf) {
		b := append(buf[:0], prefix...)
		b = append(b, '/')
		b = append(b, account...)
		if container != "" {
			b = append(b, '/')
			b = append(b, container...)
			if object != "" {
				b = append(b, '/')
				b = append(b, object...)
			}
		}
		return md5.Sum(append(b, suffix...))
	}
	h := md5.New()
	// hash.Hash's Write never fails.
	io.WriteString(h, prefix)
	io.WriteString(h, "/")
	io.WriteString(h, account)
	if container != "" {
		io.WriteString(h, "/")
		io.WriteString(h, container)
		if object != "" {
			io.WriteString(h, "/")
			io.WriteString(h, object)
		}
	}
	io.WriteString(h, suffix)
	var out [md5.Size]byte
	h.Sum(out[:0])
	return out
}
