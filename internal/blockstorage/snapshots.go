package blockstorage

// SnapshotTx is what a transaction does with snapshots and their metadata.
type SnapshotTx interface{}
