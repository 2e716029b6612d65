package diskfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/gostack/gostack/internal/objectstorage/swift"
)

// File extensions of an object's files.
const (
	ExtData      = ".data"
	ExtMeta      = ".meta"
	ExtTombstone = ".ts"
)

// FileInfo is one file of a hash directory, parsed from its name
// "<timestamp internal><ext>".
type FileInfo struct {
	Name      string
	Timestamp swift.Timestamp
	Ext       string
}

// parseName parses an object file name; ok is false for a name that is
// not one (a temp file, garbage).
func parseName(name string) (FileInfo, bool) {
	dot := strings.LastIndexByte(name, '.')
	if dot <= 0 {
		return FileInfo{}, false
	}
	ext := name[dot:]
	if ext != ExtData && ext != ExtMeta && ext != ExtTombstone {
		return FileInfo{}, false
	}
	stem := name[:dot]
	if ext == ExtMeta {
		// A .meta name may carry Swift's content-type delta after the
		// timestamp ("<ts>-<hex>"); its first part is the timestamp.
		if i := strings.IndexByte(stem, '-'); i > 0 {
			stem = stem[:i]
		}
	}
	ts, err := swift.ParseTimestamp(stem)
	if err != nil {
		return FileInfo{}, false
	}
	return FileInfo{Name: name, Timestamp: ts, Ext: ext}, true
}

// FileName returns the on-disk name for a file of ext at ts.
func FileName(ts swift.Timestamp, ext string) string {
	return ts.Internal() + ext
}

// Set is the state of a hash directory as Swift's get_ondisk_files
// decides it for a replicated policy: the newest .data, or failing that
// the newest .ts; the newest .meta newer than the .data; and the files
// that no longer matter.
type Set struct {
	Data      *FileInfo
	Meta      *FileInfo
	Tombstone *FileInfo
	// Obsolete are files older than what wins: removed by cleanup.
	Obsolete []FileInfo
	// Orphans are .meta files with no .data to apply to: removed once
	// older than the reclaim age (a .data may still be replicated in).
	Orphans []FileInfo
}

// Newest returns the timestamp that defines the object's state: the
// .data's or the tombstone's (zero when neither exists).
func (s *Set) Newest() swift.Timestamp {
	switch {
	case s.Data != nil:
		return s.Data.Timestamp
	case s.Tombstone != nil:
		return s.Tombstone.Timestamp
	}
	return swift.Timestamp{}
}

// selectFiles sorts the names of a hash directory into a Set.
func selectFiles(names []string) Set {
	var data, meta, ts []FileInfo
	for _, n := range names {
		fi, ok := parseName(n)
		if !ok {
			continue
		}
		switch fi.Ext {
		case ExtData:
			data = append(data, fi)
		case ExtMeta:
			meta = append(meta, fi)
		case ExtTombstone:
			ts = append(ts, fi)
		}
	}
	newestFirst := func(a, b FileInfo) int { return b.Timestamp.Compare(a.Timestamp) }
	slices.SortFunc(data, newestFirst)
	slices.SortFunc(meta, newestFirst)
	slices.SortFunc(ts, newestFirst)

	var s Set
	// keepNewer splits fs into the files newer than t (kept) and the
	// rest (obsolete).
	keepNewer := func(fs []FileInfo, t swift.Timestamp) []FileInfo {
		i := 0
		for i < len(fs) && fs[i].Timestamp.After(t) {
			i++
		}
		s.Obsolete = append(s.Obsolete, fs[i:]...)
		return fs[:i]
	}
	if len(ts) > 0 {
		// A tombstone hides every older or equal file; only the
		// newest tombstone matters.
		data = keepNewer(data, ts[0].Timestamp)
		meta = keepNewer(meta, ts[0].Timestamp)
		s.Obsolete = append(s.Obsolete, ts[1:]...)
		ts = ts[:1]
	}
	if len(meta) > 1 {
		s.Obsolete = append(s.Obsolete, meta[1:]...)
		meta = meta[:1]
	}
	if len(data) > 0 {
		s.Obsolete = append(s.Obsolete, data[1:]...)
		meta = keepNewer(meta, data[0].Timestamp)
		s.Obsolete = append(s.Obsolete, ts...)
		s.Data = &data[0]
		if len(meta) > 0 {
			s.Meta = &meta[0]
		}
		return s
	}
	s.Orphans = meta
	if len(ts) > 0 {
		s.Tombstone = &ts[0]
	}
	return s
}

// cleanup removes the obsolete files of the hash directory dir, the
// tombstone and orphan .meta files older than reclaimAge, and dir itself
// when nothing is left, as Swift's cleanup_ondisk_files does. It returns
// the directory's state and the names left in it.
func cleanup(dir string, reclaimAge time.Duration, now time.Time) (Set, []string, error) {
	names, err := readDirNames(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return Set{}, nil, nil
		}
		return Set{}, nil, err
	}
	s := selectFiles(names)
	reclaimable := func(fi FileInfo) bool {
		return now.Sub(fi.Timestamp.Time()) > reclaimAge
	}
	remove := s.Obsolete
	if s.Tombstone != nil && reclaimable(*s.Tombstone) {
		remove = append(remove, *s.Tombstone)
		s.Tombstone = nil
	}
	kept := s.Orphans[:0]
	for _, fi := range s.Orphans {
		if reclaimable(fi) {
			remove = append(remove, fi)
		} else {
			kept = append(kept, fi)
		}
	}
	s.Orphans = kept
	for _, fi := range remove {
		if err := os.Remove(filepath.Join(dir, fi.Name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return s, nil, err
		}
		names = slices.DeleteFunc(names, func(n string) bool { return n == fi.Name })
	}
	s.Obsolete = nil
	if len(names) == 0 {
		// Another writer may have just added a file: ENOTEMPTY is fine.
		_ = os.Remove(dir)
	}
	return s, names, nil
}
