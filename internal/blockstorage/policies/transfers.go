package policies

// Volume transfer rule names (Cinder's cinder/policies/volume_transfer.py).
const (
	TransferCreate = "volume:create_transfer"
	TransferAccept = "volume:accept_transfer"
	TransferDelete = "volume:delete_transfer"
	TransferGet    = "volume:get_transfer"
	TransferGetAll = "volume:get_all_transfers"
)

// transferRules are the rules of volume transfers. Accepting is open to
// any project: the authorization key is what proves the offer was made
// to it.
func transferRules() map[string]string {
	return map[string]string{
		TransferCreate: AdminOrOwner,
		TransferAccept: Anyone,
		TransferDelete: AdminOrOwner,
		TransferGet:    AdminOrOwner,
		TransferGetAll: AdminOrOwner,
	}
}
