package blockstorage

// AttachmentTx is what a transaction does with attachments of volumes to servers.
type AttachmentTx interface{}
