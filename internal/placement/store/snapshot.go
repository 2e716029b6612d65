package store

import (
	"context"
	"slices"
	"sync"

	"github.com/gostack/gostack/internal/placement"
	"github.com/gostack/gostack/internal/platform/db"
)

// snapshot is the providers' state as last loaded for the candidate
// core, and the change number (see migrations/00002_changes.sql) it is
// current with. A refresh reads the change number: when it has not
// moved, the snapshot is used as is; otherwise the providers logged
// since are reloaded (or, when the log was pruned past the snapshot or
// says that any provider may have changed, those whose generation moved:
// every change to a provider's inventories, traits, aggregates or usage
// bumps it). Either way a scheduling query over 10,000 hosts reads the
// rows of the providers that changed, not 10,000 hosts' worth, and the
// new version shares the unchanged providers and the indexes with the
// old one (placement.ProviderSet.Update).
//
// The sets handed out are shared between callers and with the snapshot
// and must be treated as read-only.
type snapshot struct {
	mu     sync.Mutex
	set    *placement.ProviderSet
	seq    int64
	loaded bool
}

// CandidateProviders returns every provider's state, oldest first. The
// set and its providers are shared: callers must not modify them.
func (s *Store) CandidateProviders(ctx context.Context) (*placement.ProviderSet, error) {
	var out *placement.ProviderSet
	err := s.readTx(ctx, func(ctx context.Context, q db.Querier) error {
		// Read first: what is loaded below is at least this recent.
		var seq, pruned int64
		if err := q.QueryRowContext(ctx, `SELECT seq, pruned FROM placement_seq WHERE id = 1`).Scan(&seq, &pruned); err != nil {
			return err
		}
		s.snap.mu.Lock()
		old, oldSeq, loaded := s.snap.set, s.snap.seq, s.snap.loaded
		s.snap.mu.Unlock()
		if loaded && seq == oldSeq {
			out = old
			return nil
		}

		var changed []string
		scan := !loaded || oldSeq < pruned
		if !scan {
			logged, err := db.Strings(ctx, q, `SELECT DISTINCT provider_uuid FROM placement_changes WHERE seq > $1`, oldSeq)
			if err != nil {
				return err
			}
			if slices.Contains(logged, "*") {
				scan = true
			} else {
				changed = logged
			}
		}
		if scan {
			var err error
			if changed, err = movedGenerations(ctx, q, old); err != nil {
				return err
			}
		}

		fresh, err := loadProviders(ctx, q, changed, old.Len())
		if err != nil {
			return err
		}
		var gone []string
		for _, u := range changed {
			if fresh[u] == nil && old.Get(u) != nil {
				gone = append(gone, u)
			}
		}
		list := make([]*placement.ProviderState, 0, len(fresh))
		for _, u := range changed {
			if st := fresh[u]; st != nil {
				list = append(list, st)
			}
		}
		out = old.Update(list, gone)
		s.snap.mu.Lock()
		// Keep the newest of concurrent refreshes.
		if !s.snap.loaded || seq >= s.snap.seq {
			s.snap.set, s.snap.seq, s.snap.loaded = out, seq, true
		}
		s.snap.mu.Unlock()
		return nil
	})
	return out, err
}

// movedGenerations compares every provider's generation with old's: it
// returns the providers that are new, moved or gone.
func movedGenerations(ctx context.Context, q db.Querier, old *placement.ProviderSet) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT uuid, generation FROM placement_providers`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var changed []string
	present := make(map[string]bool, old.Len())
	for rows.Next() {
		var uuid string
		var gen int64
		if err := rows.Scan(&uuid, &gen); err != nil {
			return nil, err
		}
		present[uuid] = true
		if p := old.Get(uuid); p == nil || p.Generation != gen {
			changed = append(changed, uuid)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range old.Len() {
		if u := old.At(i).UUID; !present[u] {
			changed = append(changed, u)
		}
	}
	return changed, nil
}

// loadProviders loads the providers uuids that still exist, with their
// details; of n providers in all, a large share is read table by table.
func loadProviders(ctx context.Context, q db.Querier, uuids []string, n int) (map[string]*placement.ProviderState, error) {
	fresh := map[string]*placement.ProviderState{}
	if len(uuids) == 0 {
		return fresh, nil
	}
	all := len(uuids) > n/4 || len(uuids) > 5000
	var a db.Args
	where := ""
	if !all {
		where = " WHERE uuid IN (" + db.List(&a, uuids) + ")"
	}
	rows, err := q.QueryContext(ctx, `SELECT `+providerCols+` FROM placement_providers`+where, a.Vals...)
	if err != nil {
		return nil, err
	}
	want := make(map[string]bool, len(uuids))
	for _, u := range uuids {
		want[u] = true
	}
	var found []string
	for rows.Next() {
		p, err := scanProvider(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		if !want[p.UUID] {
			continue
		}
		fresh[p.UUID] = &placement.ProviderState{Provider: p, Inventories: map[string]placement.Inventory{},
			Used: placement.Usage{}, Traits: map[string]bool{}, Aggregates: map[string]bool{}}
		found = append(found, p.UUID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := loadDetails(ctx, q, found, all, fresh); err != nil {
		return nil, err
	}
	return fresh, nil
}

// loadDetails fills the inventories, usage, traits and aggregates of the
// providers in into; all reads whole tables rather than lists of uuids.
func loadDetails(ctx context.Context, q db.Querier, uuids []string, all bool, into map[string]*placement.ProviderState) error {
	chunks := [][]string{nil}
	if !all {
		chunks = nil
		for len(uuids) > 0 {
			n := min(len(uuids), 500)
			chunks = append(chunks, uuids[:n])
			uuids = uuids[n:]
		}
	}
	for _, chunk := range chunks {
		var a db.Args
		where := func(col string) string {
			if chunk == nil {
				return ""
			}
			a = db.Args{}
			return " WHERE " + col + " IN (" + db.List(&a, chunk) + ")"
		}
		w := where("provider_uuid")
		rows, err := q.QueryContext(ctx, `SELECT provider_uuid, resource_class, total, reserved, min_unit, max_unit, step_size, allocation_ratio FROM placement_inventories`+w, a.Vals...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var rp string
			var i placement.Inventory
			if err := rows.Scan(&rp, &i.ResourceClass, &i.Total, &i.Reserved, &i.MinUnit, &i.MaxUnit, &i.StepSize, &i.AllocationRatio); err != nil {
				rows.Close()
				return err
			}
			if st := into[rp]; st != nil {
				st.Inventories[i.ResourceClass] = i
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, part := range []struct {
			query string
			apply func(st *placement.ProviderState, name string, n int64)
		}{
			{`SELECT provider_uuid, resource_class, SUM(used) FROM placement_allocations` + w + ` GROUP BY provider_uuid, resource_class`,
				func(st *placement.ProviderState, n string, v int64) { st.Used[n] = v }},
			{`SELECT provider_uuid, trait, 0 FROM placement_provider_traits` + w,
				func(st *placement.ProviderState, n string, _ int64) { st.Traits[n] = true }},
			{`SELECT provider_uuid, aggregate_uuid, 0 FROM placement_provider_aggregates` + w,
				func(st *placement.ProviderState, n string, _ int64) { st.Aggregates[n] = true }},
		} {
			rows, err := q.QueryContext(ctx, part.query, a.Vals...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var rp, name string
				var n int64
				if err := rows.Scan(&rp, &name, &n); err != nil {
					rows.Close()
					return err
				}
				if st := into[rp]; st != nil {
					part.apply(st, name, n)
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
	}
	return nil
}
