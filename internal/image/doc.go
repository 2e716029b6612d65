// Package image is gostack's Glance v2: images and their data, sharing
// (members), tags, the status machine, the interoperable import flow and
// the metadata definitions catalog.
//
//	client ──HTTP──▶ api/ (routes.go: method, path, policy, handler)
//	                   │
//	                   ▼
//	              image.Service ──▶ DataStore (file: <DataDir>/images, staging)
//	                   │          └─▶ Inspector (format/: disk header reader)
//	                   ▼
//	             Store (store/: SQL on SQLite or PostgreSQL)
//
// The status machine follows Glance:
//
//	queued ──upload──▶ saving ──▶ active ⇄ deactivated
//	  │  ▲               │
//	  │  └───failure─────┘            (any) ──delete──▶ deleted (row removed)
//	  └──stage──▶ uploading ──import──▶ importing ──▶ active
//	                                       └──failure──▶ queued / killed
//
// Other services never import this package: they read images through
// image/client.
package image
