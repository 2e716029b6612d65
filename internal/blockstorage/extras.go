package blockstorage

// ExtrasTx is what a transaction does with user messages and quota classes.
type ExtrasTx interface{}
