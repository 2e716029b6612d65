package blockstorage

// TransferTx is what a transaction does with volume transfers.
type TransferTx interface{}
