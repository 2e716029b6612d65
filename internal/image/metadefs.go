package image

// MetadefStore keeps the metadata definitions catalog.
type MetadefStore interface{}
