package broker

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"log/slog"
	"os"

	"github.com/gostack/gostack/internal/objectstorage/dbserver/db"
)

// AppendObject records an object PUT or DELETE (Deleted set) for the
// container database at path in its pending file, without opening the
// database, as Swift's put_object does: the row is merged when the
// database is next opened, or here when the file passed db.PendingCap.
// It returns db.ErrNotFound when there is no database.
func AppendObject(c *db.Cache, path string, r ObjectRow) error {
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return db.ErrNotFound
		}
		return err
	}
	r.RowID = 0
	rec, err := json.Marshal(r)
	if err != nil {
		return err
	}
	size, err := db.AppendPending(path, rec)
	if err != nil {
		return err
	}
	if size < db.PendingCap {
		return nil
	}
	// Opening merges the pending rows.
	cont, err := OpenContainer(c, path)
	if err != nil {
		return err
	}
	cont.Close()
	return nil
}

// commitPending merges the rows of the pending file into the database.
// A record that does not parse (torn by a crash) is skipped, as Swift
// skips an invalid pending entry.
func (c *Container) commitPending(ctx context.Context) error {
	return db.CommitPending(c.Path(), func(recs [][]byte) error {
		rows := make([]ObjectRow, 0, len(recs))
		for _, rec := range recs {
			var r ObjectRow
			if err := json.Unmarshal(rec, &r); err != nil || r.Name == "" {
				slog.Warn("skipping invalid pending entry", "db", c.Path(), "entry", string(rec))
				continue
			}
			rows = append(rows, r)
		}
		if len(rows) == 0 {
			return nil
		}
		return c.MergeObjects(ctx, rows, "")
	})
}
