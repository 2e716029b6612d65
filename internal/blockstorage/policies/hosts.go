package policies

// Rules of services, pools, capabilities, hosts and availability zones
// (Cinder's names).
const (
	ServicesIndex  = "volume_extension:services:index"
	ServicesUpdate = "volume_extension:services:update"
	FreezeHost     = "volume:freeze_host"
	ThawHost       = "volume:thaw_host"
	FailoverHost   = "volume:failover_host"
	GetPools       = "scheduler_extension:scheduler_stats:get_pools"
	Capabilities   = "volume_extension:capabilities"
	Hosts          = "volume_extension:hosts"
	ZoneList       = "volume_extension:availability_zone_list"
)

// hostRules are the rules of services, pools, capabilities, hosts and
// availability zones: an admin's, except the zone list, which anyone
// reads.
func hostRules() map[string]string {
	return map[string]string{
		ServicesIndex:  Admin,
		ServicesUpdate: Admin,
		FreezeHost:     Admin,
		ThawHost:       Admin,
		FailoverHost:   Admin,
		GetPools:       Admin,
		Capabilities:   Admin,
		Hosts:          Admin,
		ZoneList:       Anyone,
	}
}
