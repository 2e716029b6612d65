package image

// ImportStore is the persistence of the interoperable import flow (tasks,
// staged data). Declared by the import flow.
type ImportStore interface{}

// importState is the import flow's part of Service.
type importState struct{}
