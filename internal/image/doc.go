// Package image is gostack's Glance v2: images and their data, sharing
// (members), tags, locations and Glance's status machine. Around it, in
// their own packages: the interoperable import flow and its tasks
// (imports/), the metadata definitions catalog (metadef/), where data
// lives (datastore/: files, filestore/, or Swift, swiftstore/), the
// JSON-patch bodies of updates (patch/) and the disk format inspector
// (format/).
//
//	client ──HTTP──▶ api/ (routes.go: method, path, policy, handler)
//	                  │   │        └──▶ metadef/api ──▶ metadef.Service
//	                  │   ▼
//	                  │  imports.Service (import flow, tasks, workers)
//	                  ▼   │
//	             image.Service ──▶ datastore (filestore or swiftstore; staging: files)
//	                  │       └──▶ Inspector (format/: disk header reader)
//	                  ▼
//	             store/ (SQL on SQLite or PostgreSQL: images and members,
//	                     tasks, metadefs; one Store for the three)
//
// The status machine follows Glance:
//
//	queued ──upload──▶ saving ──▶ active ⇄ deactivated
//	  │  ▲               │
//	  │  └───failure─────┘            (any) ──delete──▶ deleted (row removed)
//	  └──stage──▶ uploading ──import──▶ importing ──▶ active
//	                                       └──failure──▶ queued / killed
//
// Errors are *apierr.Error with Glance's messages; the store's
// apierr.ErrNotFound and ErrDuplicate become them here. Other services
// never import this package: they read images through image/client.
package image
