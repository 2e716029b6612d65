package policies

// typeRules are the rules of volume types, extra specs, type access, encryption types and QoS specs.
func typeRules() map[string]string {
	return map[string]string{}
}
