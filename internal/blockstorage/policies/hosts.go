package policies

// hostRules are the rules of services, pools, capabilities, hosts and availability zones.
func hostRules() map[string]string {
	return map[string]string{}
}
