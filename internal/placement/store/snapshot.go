package store

import (
	"context"
	"slices"
	"sort"
	"sync"

	"github.com/gostack/gostack/internal/placement"
	"github.com/gostack/gostack/internal/platform/db"
)

// snapshot is the providers' state as last loaded for the candidate core.
// Every change to a provider's inventories, traits, aggregates or usage
// bumps its generation, so a refresh reads the providers table and
// reloads only the providers whose generation moved: a scheduling query
// over 10,000 hosts does not reread 10,000 hosts' worth of rows. When
// the set of providers is the same, the refreshed list is the previous
// one with the moved providers replaced in place (the order, by creation
// time, cannot have changed), and when nothing moved it is the previous
// list itself.
//
// The lists handed out are shared between callers and with the snapshot
// and must be treated as read-only.
type snapshot struct {
	mu    sync.Mutex
	list  []placement.ProviderState // oldest first
	index map[string]int            // uuid → position in list
}

// CandidateProviders returns every provider's state, oldest first. The
// slice and its maps are shared: callers must not modify them.
func (s *Store) CandidateProviders(ctx context.Context) ([]placement.ProviderState, error) {
	var out []placement.ProviderState
	err := s.readTx(ctx, func(q db.Querier) error {
		// The cheap scan: generations only.
		rows, err := q.QueryContext(ctx, `SELECT uuid, generation FROM placement_providers`)
		if err != nil {
			return err
		}
		type ug struct {
			uuid string
			gen  int64
		}
		var gens []ug
		for rows.Next() {
			var x ug
			if err := rows.Scan(&x.uuid, &x.gen); err != nil {
				rows.Close()
				return err
			}
			gens = append(gens, x)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}

		s.snap.mu.Lock()
		old, index := s.snap.list, s.snap.index
		s.snap.mu.Unlock()

		// The set of providers is the same when every uuid is known and
		// the counts agree (uuids are unique).
		same := len(gens) == len(old)
		var changed []string
		for _, x := range gens {
			i, ok := index[x.uuid]
			if !ok {
				same = false
				changed = append(changed, x.uuid)
				continue
			}
			if old[i].Generation != x.gen {
				changed = append(changed, x.uuid)
			}
		}
		if same && len(changed) == 0 {
			out = old
			return nil
		}

		moved := len(changed)
		fresh := map[string]*placement.ProviderState{}
		var loaded []placement.ProviderState
		if len(changed) > 0 {
			all := len(changed) > len(gens)/4
			var a args
			where := ""
			if !all {
				where = " WHERE uuid IN (" + a.list(changed) + ")"
			}
			if len(changed) > 5000 {
				all, where, a = true, "", args{}
			}
			rows, err := q.QueryContext(ctx, `SELECT `+providerCols+` FROM placement_providers`+where, a.vals...)
			if err != nil {
				return err
			}
			want := make(map[string]bool, len(changed))
			for _, c := range changed {
				want[c] = true
			}
			for rows.Next() {
				p, err := scanProvider(rows)
				if err != nil {
					rows.Close()
					return err
				}
				if !want[p.UUID] {
					continue
				}
				loaded = append(loaded, placement.ProviderState{Provider: p, Inventories: map[string]placement.Inventory{},
					Used: placement.Usage{}, Traits: map[string]bool{}, Aggregates: map[string]bool{}})
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			changed = changed[:0]
			for i := range loaded {
				fresh[loaded[i].UUID] = &loaded[i]
				changed = append(changed, loaded[i].UUID)
			}
			if err := loadDetails(ctx, q, changed, all, fresh); err != nil {
				return err
			}
		}

		if same && len(fresh) == moved {
			// Same providers, same order: replace the moved ones.
			out = slices.Clone(old)
			for uuid, st := range fresh {
				out[index[uuid]] = *st
			}
		} else {
			// Providers came or went (or one went while being reloaded):
			// rebuild the list and its order.
			out = make([]placement.ProviderState, 0, len(gens))
			for _, x := range gens {
				if st := fresh[x.uuid]; st != nil {
					out = append(out, *st)
				} else if i, ok := index[x.uuid]; ok && old[i].Generation == x.gen {
					out = append(out, old[i])
				}
			}
			sort.Slice(out, func(i, j int) bool {
				a, b := &out[i], &out[j]
				if !a.CreatedAt.Equal(b.CreatedAt) {
					return a.CreatedAt.Before(b.CreatedAt)
				}
				return a.UUID < b.UUID
			})
			index = make(map[string]int, len(out))
			for i := range out {
				index[out[i].UUID] = i
			}
		}
		s.snap.mu.Lock()
		s.snap.list, s.snap.index = out, index
		s.snap.mu.Unlock()
		return nil
	})
	return out, err
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
		var a args
		where := func(col string) string {
			if chunk == nil {
				return ""
			}
			a = args{}
			return " WHERE " + col + " IN (" + a.list(chunk) + ")"
		}
		w := where("provider_uuid")
		rows, err := q.QueryContext(ctx, `SELECT provider_uuid, resource_class, total, reserved, min_unit, max_unit, step_size, allocation_ratio FROM placement_inventories`+w, a.vals...)
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
			rows, err := q.QueryContext(ctx, part.query, a.vals...)
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
