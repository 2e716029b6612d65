package policies

// attachmentRules are the rules of attachments and the attach actions.
func attachmentRules() map[string]string {
	return map[string]string{}
}
