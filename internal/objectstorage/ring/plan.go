package ring

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// tier is a failure domain: the cluster (depth 0), a region (1), a zone
// (2), a server (3, by IP) or a device (4). A tier's fields beyond its
// depth are zero.
type tier struct {
	depth  int8
	region int
	zone   int
	ip     string
	dev    int
}

var rootTier = tier{}

// tiersOf returns the region, zone, server and device tiers of d.
func tiersOf(d *Device) [4]tier {
	return [4]tier{
		{depth: 1, region: d.Region},
		{depth: 2, region: d.Region, zone: d.Zone},
		{depth: 3, region: d.Region, zone: d.Zone, ip: d.IP},
		{depth: 4, region: d.Region, zone: d.Zone, ip: d.IP, dev: d.ID},
	}
}

// compareTiers orders sibling tiers as Python orders their tuples.
func compareTiers(a, b tier) int {
	return cmp.Or(cmp.Compare(a.depth, b.depth), cmp.Compare(a.region, b.region),
		cmp.Compare(a.zone, b.zone), cmp.Compare(a.ip, b.ip), cmp.Compare(a.dev, b.dev))
}

// tierTree maps each tier to its child tiers, sorted.
type tierTree map[tier][]tier

// buildTierTree builds the tree of the devices' tiers.
func buildTierTree(devs []*bdev) tierTree {
	sets := map[tier]map[tier]bool{}
	for _, d := range devs {
		parent := rootTier
		for _, t := range d.tiers {
			if sets[parent] == nil {
				sets[parent] = map[tier]bool{}
			}
			sets[parent][t] = true
			parent = t
		}
	}
	tree := tierTree{}
	for parent, kids := range sets {
		list := make([]tier, 0, len(kids))
		for k := range kids {
			list = append(list, k)
		}
		slices.SortFunc(list, compareTiers)
		tree[parent] = list
	}
	return tree
}

// planEntry is a tier's share of each partition's replicas: target
// replicanths, and the whole-replica bounds around it.
type planEntry struct {
	min, max int
	target   float64
}

// replicaPlan maps tiers to their planEntry; a missing tier has none.
type replicaPlan map[tier]planEntry

// weighted returns the builder's weighted devices.
func (b *Builder) weighted() []*bdev {
	var out []*bdev
	for _, d := range b.devs {
		if d != nil && d.Weight > 0 {
			out = append(out, d)
		}
	}
	return out
}

// weightOfOnePart is how many partition-replicas one unit of weight
// earns.
func (b *Builder) weightOfOnePart() (float64, error) {
	total := 0.0
	for _, d := range b.devs {
		if d != nil {
			total += d.Weight
		}
	}
	if total == 0 {
		return 0, fmt.Errorf("ring: there are no devices in this ring, or all devices have been deleted")
	}
	return float64(b.parts()*b.replicas) / total, nil
}

// weightedReplicas gives every tier the replicanths its weight earns,
// no device holding more than one replica of a partition; the excess of
// capped devices spreads over the others by weight.
func (b *Builder) weightedReplicas() (map[tier]float64, error) {
	wop, err := b.weightOfOnePart()
	if err != nil {
		return nil, err
	}
	parts := float64(b.parts())
	perDev := map[int]float64{}
	var room []int
	weighted := b.weighted()
	for _, d := range weighted {
		r := d.Weight * wop / parts
		if r < 1 {
			room = append(room, d.ID)
		} else {
			r = 1
		}
		perDev[d.ID] = r
	}
	for {
		sum := 0.0
		for _, d := range weighted {
			sum += perDev[d.ID]
		}
		remaining := float64(b.replicas) - sum
		if remaining < 1e-10 {
			break
		}
		room = slices.DeleteFunc(room, func(id int) bool { return perDev[id] >= 1 })
		roomSum := 0.0
		for _, id := range room {
			roomSum += perDev[id]
		}
		if roomSum == 0 {
			return nil, fmt.Errorf("ring: replica count of %d requires more than %d devices", b.replicas, len(weighted))
		}
		rel := remaining / roomSum
		for _, id := range room {
			perDev[id] = math.Min(1, perDev[id]*(rel+1))
		}
	}
	out := map[tier]float64{}
	for _, d := range weighted {
		r := perDev[d.ID]
		out[rootTier] += r
		for _, t := range d.tiers {
			out[t] += r
		}
	}
	return out, nil
}

// maxReplicas returns, for each tier, the most replicas of a partition
// it may hold if replicas spread evenly over its siblings (bound rounds
// the even share: ceil for whole replicas, identity for replicanths); a
// device holds at most one.
func (b *Builder) maxReplicas(tree tierTree, bound func(float64) float64) map[tier]float64 {
	out := map[tier]float64{}
	var walk func(t tier, count float64)
	walk = func(t tier, count float64) {
		if t.depth == 4 {
			count = math.Min(1, count)
		}
		out[t] = count
		kids := tree[t]
		for _, k := range kids {
			walk(k, bound(count/float64(len(kids))))
		}
	}
	walk(rootTier, float64(b.replicas))
	return out
}

// wantedReplicas returns the replicanths each tier should hold for the
// widest dispersion its devices allow, following the weights where
// dispersion leaves a choice.
func (b *Builder) wantedReplicas(tree tierTree, weighted map[tier]float64) (map[tier]float64, error) {
	dispersed := b.maxReplicas(tree, func(f float64) float64 { return f })
	numDevs := map[tier]float64{}
	for _, d := range b.weighted() {
		numDevs[rootTier]++
		for _, t := range d.tiers {
			numDevs[t]++
		}
	}
	wanted := map[tier]float64{}
	var place func(t tier, replicanths float64) error
	place = func(t tier, replicanths float64) error {
		if replicanths > numDevs[t]+1e-10 {
			return fmt.Errorf("ring: more replicanths (%g) than devices (%g) in tier %v", replicanths, numDevs[t], t)
		}
		wanted[t] = replicanths
		kids := tree[t]
		if len(kids) == 0 {
			return nil
		}
		toPlace := map[tier]float64{}
		remaining := replicanths
		spread := kids
		deviceLimited := false
		for range 1000 {
			sumW := 0.0
			for _, k := range spread {
				sumW += weighted[k]
			}
			if sumW == 0 {
				break
			}
			rel := remaining / sumW
			for _, k := range spread {
				r := toPlace[k] + weighted[k]*rel
				lo, hi := math.Floor(dispersed[k]), math.Ceil(dispersed[k])
				if r < lo {
					r = lo
				} else if r > hi && !deviceLimited {
					r = hi
				}
				if r > numDevs[k] {
					r = numDevs[k]
				}
				toPlace[k] = r
			}
			placed := 0.0
			for _, k := range kids {
				placed += toPlace[k]
			}
			remaining = replicanths - placed
			switch {
			case remaining < -1e-10:
				spread = nil
				for _, k := range kids {
					if toPlace[k] > math.Floor(dispersed[k]) {
						spread = append(spread, k)
					}
				}
			case remaining > 1e-10:
				spread = nil
				for _, k := range kids {
					if numDevs[k] > toPlace[k] && toPlace[k] < math.Ceil(dispersed[k]) {
						spread = append(spread, k)
					}
				}
				if len(spread) == 0 {
					deviceLimited = true
					for _, k := range kids {
						if toPlace[k] < numDevs[k] {
							spread = append(spread, k)
						}
					}
				}
			default:
				spread = nil
			}
			if spread == nil {
				break
			}
		}
		for _, k := range kids {
			if err := place(k, toPlace[k]); err != nil {
				return err
			}
		}
		return nil
	}
	if err := place(rootTier, float64(b.replicas)); err != nil {
		return nil, err
	}
	return wanted, nil
}

// requiredOverload is the largest fraction by which a device must take
// more than its weight earns for the ring to be fully dispersed.
func (b *Builder) requiredOverload(weighted, wanted map[tier]float64) float64 {
	most := 0.0
	for _, d := range b.weighted() {
		t := d.tiers[3]
		if need := (wanted[t] - weighted[t]) / weighted[t]; need > most {
			most = need
		}
	}
	return most
}

// buildPlan returns the replica plan: wanted dispersion where weights
// allow it, else weights, pulled toward dispersion by at most the
// builder's overload, as Swift's _build_replica_plan.
func (b *Builder) buildPlan(tree tierTree) (replicaPlan, error) {
	weighted, err := b.weightedReplicas()
	if err != nil {
		return nil, err
	}
	wanted, err := b.wantedReplicas(tree, weighted)
	if err != nil {
		return nil, err
	}
	target := wanted
	if most := b.requiredOverload(weighted, wanted); most > 0 {
		overload := math.Min(b.overload, most)
		target = map[tier]float64{}
		for t, w := range weighted {
			target[t] = (wanted[t]-w)/most*overload + w
		}
	}
	plan := replicaPlan{}
	for t, r := range target {
		plan[t] = planEntry{min: int(math.Floor(r + 1e-10)), max: int(math.Ceil(r - 1e-10)), target: r}
	}
	return plan, nil
}
