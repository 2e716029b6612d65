package store

import (
	"context"
	"sort"
	"sync"

	"github.com/gostack/gostack/internal/placement"
	"github.com/gostack/gostack/internal/platform/db"
)

// snapshot is the providers' state as last loaded for the candidate core.
// Every change to a provider's inventories, traits, aggregates or usage
// bumps its generation, so a refresh reads the providers table and
// reloads only the providers whose generation moved: a scheduling query
// over 10,000 hosts does not reread 10,000 hosts' worth of rows.
//
// The ProviderStates handed out share their maps with the snapshot and
// must be treated as read-only.
type snapshot struct {
	mu     sync.Mutex
	states map[string]placement.ProviderState
}

// CandidateProviders returns every provider's state, oldest first.
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
		old := s.snap.states
		s.snap.mu.Unlock()

		fresh := map[string]*placement.ProviderState{}
		var changed []string
		out = make([]placement.ProviderState, 0, len(gens))
		for _, x := range gens {
			if o, ok := old[x.uuid]; ok && o.Generation == x.gen {
				out = append(out, o)
				continue
			}
			changed = append(changed, x.uuid)
		}
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
			want := map[string]bool{}
			for _, c := range changed {
				want[c] = true
			}
			start := len(out)
			for rows.Next() {
				p, err := scanProvider(rows)
				if err != nil {
					rows.Close()
					return err
				}
				if !want[p.UUID] {
					continue
				}
				out = append(out, placement.ProviderState{Provider: p, Inventories: map[string]placement.Inventory{},
					Used: placement.Usage{}, Traits: map[string]bool{}, Aggregates: map[string]bool{}})
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			for i := start; i < len(out); i++ {
				fresh[out[i].UUID] = &out[i]
			}
			changed = changed[:0]
			for uuid := range fresh {
				changed = append(changed, uuid)
			}
			if err := loadDetails(ctx, q, changed, all, fresh); err != nil {
				return err
			}
		}
		sort.Slice(out, func(i, j int) bool {
			a, b := &out[i], &out[j]
			if !a.CreatedAt.Equal(b.CreatedAt) {
				return a.CreatedAt.Before(b.CreatedAt)
			}
			return a.UUID < b.UUID
		})
		next := make(map[string]placement.ProviderState, len(out))
		for _, st := range out {
			next[st.UUID] = st
		}
		s.snap.mu.Lock()
		s.snap.states = next
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
