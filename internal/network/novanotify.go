package network

// NovaEvent is one event for the compute service's
// os-server-external-events: network-changed when a port of a server
// changed (a floating IP associated or disassociated, an address added),
// network-vif-plugged when a server's port became ACTIVE,
// network-vif-deleted when one was deleted. Tag is the port id.
type NovaEvent struct {
	Name     string `json:"name"`
	ServerID string `json:"server_uuid"`
	Tag      string `json:"tag,omitempty"`
	Status   string `json:"status,omitempty"`
}
