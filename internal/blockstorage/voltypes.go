package blockstorage

// TypeTx is what a transaction does with volume types, their extra specs, project access, encryption and QoS specs.
type TypeTx interface{}
