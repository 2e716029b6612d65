package blockstorage

// HostTx is what a transaction does with the volume services (agents) and the pools they report.
type HostTx interface{}
