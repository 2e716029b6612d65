package policies

// extraRules are the rules of quotas, quota classes, limits, messages and extensions.
func extraRules() map[string]string {
	return map[string]string{}
}
