package network

import "context"

// RouterTx is the routers' and floating IPs' part of a transaction.
type RouterTx interface {
	// CountFloatingIPsOn counts the floating IPs allocated from network.
	CountFloatingIPsOn(ctx context.Context, network string) (int64, error)
}
