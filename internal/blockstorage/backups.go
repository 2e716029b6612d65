package blockstorage

// BackupTx is what a transaction does with backups.
type BackupTx interface{}
