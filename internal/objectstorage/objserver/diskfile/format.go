package diskfile

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
)

// Every file of an object (.data, .meta, .ts) carries its metadata in a
// trailer after the body:
//
//	body | metadata JSON | len(JSON) uint32 BE | crc32c(JSON) uint32 BE | "SWM1"
//
// Swift keeps metadata in the "user.swift.metadata" xattr. We keep it in
// the file itself because (1) the body and its metadata then land on disk
// in one rename, so no crash can leave one without the other; (2) ext4,
// the usual file system here, caps all xattrs of an inode at one block
// (4 KiB), less than Swift's metadata limits allow, which is why Swift
// splits metadata over several xattrs and recommends XFS; (3) it works
// on every file system, tmpfs and overlayfs included; (4) the replicator
// can ship one file and know it ships everything. A trailer rather than
// a header lets a PUT stream its body straight to disk and append the
// ETag it computed on the way, and keeps the body at offset 0 so a GET
// can hand the file to sendfile.
const (
	trailerMagic = "SWM1"
	trailerLen   = 12
	// maxMetaLen bounds the metadata JSON: Swift's own limits (4 KiB of
	// user metadata, 8 KiB headers, 1 KiB names) stay far below it, so a
	// larger length means a corrupt trailer.
	maxMetaLen = 1 << 20
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// ErrBadMetadata is wrapped by every error that reports a file whose
// metadata trailer cannot be read: such a file is quarantined.
var ErrBadMetadata = errors.New("bad metadata trailer")

// Metadata is an object's metadata as Swift keeps it: header names as
// Swift spells them ("X-Timestamp", "Content-Type", "ETag",
// "X-Object-Meta-Color", ...) and "name" (the object's /a/c/o path).
type Metadata map[string]string

// appendTrailer appends the metadata trailer of m to b.
func appendTrailer(b []byte, m Metadata) ([]byte, error) {
	js, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	b = append(b, js...)
	b = binary.BigEndian.AppendUint32(b, uint32(len(js)))
	b = binary.BigEndian.AppendUint32(b, crc32.Checksum(js, castagnoli))
	return append(b, trailerMagic...), nil
}

// readTrailer reads the metadata of the file f whose size is size and
// returns it with the length of the body before it.
func readTrailer(f *os.File, size int64) (Metadata, int64, error) {
	if size < trailerLen {
		return nil, 0, fmt.Errorf("%w: file of %d bytes", ErrBadMetadata, size)
	}
	// One read of the file's last 4 KiB usually holds the whole trailer.
	n := min(size, 4096)
	buf := make([]byte, n)
	if _, err := f.ReadAt(buf, size-n); err != nil && err != io.EOF {
		return nil, 0, err
	}
	tail := buf[n-trailerLen:]
	if string(tail[8:]) != trailerMagic {
		return nil, 0, fmt.Errorf("%w: no trailer magic", ErrBadMetadata)
	}
	jsLen := int64(binary.BigEndian.Uint32(tail[0:4]))
	sum := binary.BigEndian.Uint32(tail[4:8])
	if jsLen > maxMetaLen || jsLen > size-trailerLen {
		return nil, 0, fmt.Errorf("%w: metadata length %d", ErrBadMetadata, jsLen)
	}
	var js []byte
	if jsLen <= n-trailerLen {
		js = buf[n-trailerLen-jsLen : n-trailerLen]
	} else {
		js = make([]byte, jsLen)
		if _, err := f.ReadAt(js, size-trailerLen-jsLen); err != nil && err != io.EOF {
			return nil, 0, err
		}
	}
	if crc32.Checksum(js, castagnoli) != sum {
		return nil, 0, fmt.Errorf("%w: checksum mismatch", ErrBadMetadata)
	}
	var m Metadata
	if err := json.Unmarshal(js, &m); err != nil {
		return nil, 0, fmt.Errorf("%w: %v", ErrBadMetadata, err)
	}
	return m, size - trailerLen - jsLen, nil
}

// ReadFileMetadata reads the metadata of the object file at path (a
// .data, .meta or .ts file) and the length of its body.
func ReadFileMetadata(path string) (Metadata, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, 0, err
	}
	return readTrailer(f, st.Size())
}
