package policies

// transferRules are the rules of volume transfers.
func transferRules() map[string]string {
	return map[string]string{}
}
