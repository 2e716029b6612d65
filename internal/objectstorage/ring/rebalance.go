package ring

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// Rebalance assigns partitions to devices: every unassigned replica (a
// new ring, a removed device) gets a device; replicas packed into one
// failure domain beyond the plan move apart; devices holding more than
// their weight earns shed partitions to those wanting more. A partition
// moves at most one replica per rebalance and not again within
// min_part_hours, except off a removed device. It returns how many
// partition-replicas changed device and the resulting balance.
func (b *Builder) Rebalance() (changed int, balance float64, err error) {
	weighted := 0
	for _, d := range b.devs {
		if d != nil {
			d.tiers = tiersOf(&d.Device)
			if d.Weight > 0 {
				weighted++
			}
		}
	}
	if weighted < b.replicas {
		return 0, 0, fmt.Errorf("%w: replica count of %d requires more than %d devices", ErrTooFewDevices, b.replicas, weighted)
	}
	if b.rng == nil {
		seed := uint64(time.Now().UnixNano())
		b.rng = rand.New(rand.NewPCG(seed, seed^0x5eed))
	}
	if b.now == nil {
		b.now = time.Now
	}
	var old [][]uint16
	for _, p2d := range b.r2p2d {
		old = append(old, slices.Clone(p2d))
	}
	b.updateLastPartMoves()

	tree := buildTierTree(b.weighted())
	plan, err := b.buildPlan(tree)
	if err != nil {
		return 0, 0, err
	}
	b.setPartsWanted(tree, plan)

	assign := map[int][]int{}
	b.initAssignment(assign)
	b.gatherFromRemoved(assign)
	b.gatherForDispersion(assign, plan)
	b.dropRemoved()
	// The devices changed (a removal dropped some); rebuild the tree.
	tree = buildTierTree(b.weighted())

	for round := range maxGatherCount {
		b.gatherForBalance(assign, plan, tree, round == 0)
		if len(assign) == 0 {
			break
		}
		list := make([]partReplicas, 0, len(assign))
		for p, rs := range assign {
			list = append(list, partReplicas{p, rs})
		}
		// Map order is random but not seeded; sort, then shuffle with
		// the builder's generator so a seeded rebalance is repeatable.
		slices.SortFunc(list, func(x, y partReplicas) int { return x.part - y.part })
		b.rng.Shuffle(len(list), func(i, j int) { list[i], list[j] = list[j], list[i] })
		clear(assign)
		if err := b.reassign(list, plan, tree); err != nil {
			return 0, 0, err
		}
		overweight := false
		for _, d := range b.devs {
			if d != nil && d.partsWanted < 0 {
				overweight = true
				break
			}
		}
		if !overweight {
			break
		}
	}
	b.devsChanged = false
	changed = b.measure(old, tree)
	b.version++
	return changed, b.Balance(), nil
}

type partReplicas struct {
	part     int
	replicas []int
}

// updateLastPartMoves ages every partition by the whole hours since the
// last rebalance and clears this rebalance's moved set.
func (b *Builder) updateLastPartMoves() {
	b.moved = make([]bool, b.parts())
	now := b.now().Unix()
	hours := (now - b.lastPartMovesEpoch) / 3600
	if hours <= 0 {
		return
	}
	for i, h := range b.lastPartMoves {
		b.lastPartMoves[i] = byte(min(int64(h)+hours, 0xff))
	}
	b.lastPartMovesEpoch = now
}

func (b *Builder) setMoved(part int) {
	b.lastPartMoves[part] = 0
	b.moved[part] = true
}

func (b *Builder) canMove(part int) bool {
	return int(b.lastPartMoves[part]) >= b.minPartHours && !b.moved[part]
}

// setPartsWanted gives each device the partition-replicas the plan
// wants it to hold, less those it holds: negative means overweight.
func (b *Builder) setPartsWanted(tree tierTree, plan replicaPlan) {
	byTier := map[tier]int{}
	parts := float64(b.parts())
	var place func(t tier, n int)
	place = func(t tier, n int) {
		byTier[t] = n
		kids := tree[t]
		if len(kids) == 0 {
			return
		}
		toPlace := make([]int, len(kids))
		for i, k := range kids {
			toPlace[i] = min(n, int(math.Floor(plan[k].target*parts)))
			n -= toPlace[i]
		}
		// Left-overs go round the children, least-targeted first.
		order := make([]int, len(kids))
		for i := range order {
			order[i] = i
		}
		slices.SortStableFunc(order, func(x, y int) int {
			tx, ty := plan[kids[x]].target, plan[kids[y]].target
			switch {
			case tx < ty:
				return -1
			case tx > ty:
				return 1
			}
			return 0
		})
		for i := 0; n > 0; i++ {
			toPlace[order[i%len(order)]]++
			n--
		}
		for i, k := range kids {
			place(k, toPlace[i])
		}
	}
	place(rootTier, b.replicas*b.parts())
	for _, d := range b.devs {
		if d == nil {
			continue
		}
		if d.Weight == 0 {
			// A device without weight is being drained: it wants to give
			// away everything.
			d.partsWanted = -b.parts() * b.replicas
		} else {
			d.partsWanted = byTier[d.tiers[3]] - d.parts
		}
	}
}

// initAssignment creates the assignment table of a new builder, every
// replica of every partition to be placed.
func (b *Builder) initAssignment(assign map[int][]int) {
	if b.r2p2d != nil {
		return
	}
	b.r2p2d = make([][]uint16, b.replicas)
	for r := range b.r2p2d {
		p2d := make([]uint16, b.parts())
		for p := range p2d {
			p2d[p] = noDev
			assign[p] = append(assign[p], r)
		}
		b.r2p2d[r] = p2d
	}
}

// gatherFromRemoved takes every replica off the devices being removed;
// these move whatever min_part_hours says.
func (b *Builder) gatherFromRemoved(assign map[int][]int) {
	if len(b.removeDevs) == 0 {
		return
	}
	removing := map[uint16]bool{}
	for _, id := range b.removeDevs {
		removing[uint16(id)] = true
	}
	for r, p2d := range b.r2p2d {
		for p, id := range p2d {
			if removing[id] {
				p2d[p] = noDev
				b.setMoved(p)
				assign[p] = append(assign[p], r)
			}
		}
	}
}

// dropRemoved forgets the devices marked for removal.
func (b *Builder) dropRemoved() {
	for _, id := range b.removeDevs {
		b.devs[id] = nil
	}
	b.removeDevs = nil
	for len(b.devs) > 0 && b.devs[len(b.devs)-1] == nil {
		b.devs = b.devs[:len(b.devs)-1]
	}
}

// countTiers counts the replicas of part in each tier.
func (b *Builder) countTiers(part int) map[tier]int {
	at := map[tier]int{}
	for _, p2d := range b.r2p2d {
		if id := p2d[part]; id != noDev {
			for _, t := range b.devs[id].tiers {
				at[t]++
			}
		}
	}
	return at
}

type devReplica struct {
	dev     *bdev
	replica int
}

func byWanted(x, y devReplica) int { return x.dev.partsWanted - y.dev.partsWanted }

// unassign takes replica r of part off its device.
func (b *Builder) unassign(assign map[int][]int, part, r int, d *bdev, at map[tier]int) {
	d.partsWanted++
	d.parts--
	assign[part] = append(assign[part], r)
	b.r2p2d[r][part] = noDev
	for _, t := range d.tiers {
		at[t]--
	}
	b.setMoved(part)
}

// gatherForDispersion takes up replicas sitting in a tier that holds
// more replicas of their partition than the plan allows.
func (b *Builder) gatherForDispersion(assign map[int][]int, plan replicaPlan) {
	for part := range b.parts() {
		if !b.canMove(part) {
			continue
		}
		at := b.countTiers(part)
		var undispersed []devReplica
		for r, p2d := range b.r2p2d {
			id := p2d[part]
			if id == noDev {
				continue
			}
			d := b.devs[id]
			for _, t := range d.tiers {
				if at[t] > plan[t].max {
					undispersed = append(undispersed, devReplica{d, r})
					break
				}
			}
		}
		slices.SortStableFunc(undispersed, byWanted)
		for _, dr := range undispersed {
			// Only a device holding two replicas of one partition may
			// move more than one replica of it per rebalance.
			if !b.canMove(part) && at[dr.dev.tiers[3]] <= 1 {
				continue
			}
			b.unassign(assign, part, dr.replica, dr.dev, at)
		}
	}
}

// gatherForBalance takes replicas off overweight devices. The first
// round only takes those that can go to another failure domain that
// wants them without breaking the plan; later rounds take any.
func (b *Builder) gatherForBalance(assign map[int][]int, plan replicaPlan, tree tierTree, disperseFirst bool) {
	parts := b.parts()
	start := (b.lastGatherStart + parts/4 + b.rng.IntN(parts/2+1)) % parts
	b.lastGatherStart = start
	if disperseFirst {
		b.gatherCanDisperse(assign, plan, tree, start)
	}
	for off := range parts {
		part := (start + off) % parts
		if !b.canMove(part) {
			continue
		}
		var over []devReplica
		for r, p2d := range b.r2p2d {
			if id := p2d[part]; id != noDev && b.devs[id].partsWanted < 0 {
				over = append(over, devReplica{b.devs[id], r})
			}
		}
		if len(over) == 0 {
			continue
		}
		slices.SortStableFunc(over, byWanted)
		b.unassign(assign, part, over[0].replica, over[0].dev, map[tier]int{})
	}
}

func (b *Builder) gatherCanDisperse(assign map[int][]int, plan replicaPlan, tree tierTree, start int) {
	wantedIn := map[tier]int{}
	for _, d := range b.devs {
		if d != nil {
			w := max(d.partsWanted, 0)
			for _, t := range d.tiers {
				wantedIn[t] += w
			}
		}
	}
	parts := b.parts()
	for off := range parts {
		part := (start + off) % parts
		if !b.canMove(part) {
			continue
		}
		at := map[tier]int{}
		var over []devReplica
		for r, p2d := range b.r2p2d {
			id := p2d[part]
			if id == noDev {
				continue
			}
			d := b.devs[id]
			for _, t := range d.tiers {
				at[t]++
			}
			if d.partsWanted < 0 {
				over = append(over, devReplica{d, r})
			}
		}
		if len(over) == 0 {
			continue
		}
		slices.SortStableFunc(over, byWanted)
		for _, dr := range over {
			d := dr.dev
			stuck := false
			for _, t := range d.tiers {
				if plan[t].min <= at[t] && at[t] < plan[t].max {
					stuck = true // the plan needs this replica where it is
					break
				}
			}
			if stuck {
				continue
			}
			// Find the tier this replica may not leave without taking it
			// under the plan's minimum; it can only move to another child
			// of that tier. As in Swift, a replica free to leave every
			// tier still looks for room among its region's zones.
			t := d.tiers[0]
			for i := 3; i >= 0; i-- {
				t = d.tiers[i]
				if at[t]-1 < plan[t].min {
					break
				}
			}
			room := 0
			for _, c := range tree[t] {
				if !slices.Contains(d.tiers[:], c) {
					room += wantedIn[c]
				}
			}
			if room <= 0 {
				continue // no sibling wants it
			}
			b.unassign(assign, part, dr.replica, d, at)
			for _, t := range d.tiers {
				wantedIn[t]--
			}
			break
		}
	}
}

// reassign places each gathered replica: from the root down, into the
// child tier with the most room that is still under the plan's maximum
// for the partition, then onto that tier's most wanting device.
func (b *Builder) reassign(list []partReplicas, plan replicaPlan, tree tierTree) error {
	avail := map[tier]int{}
	type keyed struct {
		d    *bdev
		rand int
	}
	var devs []keyed
	for _, d := range b.devs {
		if d == nil {
			continue
		}
		w := max(d.partsWanted, 0)
		for _, t := range d.tiers {
			avail[t] += w
		}
		if d.Weight > 0 {
			devs = append(devs, keyed{d, b.rng.IntN(0x10000)})
		}
	}
	// Devices sort once by how much they want (ties broken at random);
	// each tier's last device is its most wanting, as in Swift, which
	// also keeps that order through the placement.
	slices.SortFunc(devs, func(x, y keyed) int {
		if x.d.partsWanted != y.d.partsWanted {
			return x.d.partsWanted - y.d.partsWanted
		}
		if x.rand != y.rand {
			return x.rand - y.rand
		}
		return x.d.ID - y.d.ID
	})
	tierDevs := map[tier][]*bdev{}
	for _, k := range devs {
		for _, t := range k.d.tiers {
			tierDevs[t] = append(tierDevs[t], k.d)
		}
	}
	for _, pr := range list {
		b.lastPartMoves[pr.part] = 0
		at := b.countTiers(pr.part)
		for _, r := range pr.replicas {
			t := rootTier
			for depth := 1; depth <= 4; depth++ {
				var best tier
				found := false
				for _, c := range tree[t] {
					if at[c] >= plan[c].max {
						continue
					}
					if !found || avail[c] > avail[best] {
						best, found = c, true
					}
				}
				if !found {
					return fmt.Errorf("ring: no home for partition %d replica %d", pr.part, r)
				}
				t = best
			}
			ds := tierDevs[t]
			d := ds[len(ds)-1]
			d.partsWanted--
			d.parts++
			for _, dt := range d.tiers {
				avail[dt]--
				at[dt]++
			}
			b.r2p2d[r][pr.part] = uint16(d.ID)
		}
	}
	return nil
}

// measure counts the partition-replicas whose device changed since old
// and records the dispersion: the percentage of partition-replicas in a
// tier beyond what an even spread allows, counted once per partition at
// its worst tier.
func (b *Builder) measure(old [][]uint16, tree tierTree) int {
	changed := 0
	maxAllowed := b.maxReplicas(tree, math.Ceil)
	atRisk := 0
	for part := range b.parts() {
		at := map[tier]int{}
		for r, p2d := range b.r2p2d {
			id := p2d[part]
			if r >= len(old) || old[r][part] != id {
				changed++
			}
			if id == noDev {
				continue
			}
			for _, t := range b.devs[id].tiers {
				at[t]++
			}
		}
		worst := 0
		byDepth := map[int8]int{}
		for t, n := range at {
			if over := n - int(maxAllowed[t]); over > 0 {
				byDepth[t.depth] += over
				worst = max(worst, byDepth[t.depth])
			}
		}
		atRisk += worst
	}
	b.dispersion = 100 * float64(atRisk) / float64(b.parts()*b.replicas)
	return changed
}
