package network

// ExtrasTx is the part of a transaction of the smaller extensions.
type ExtrasTx interface{}
