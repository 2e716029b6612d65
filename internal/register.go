// Package internal lists what gostack has built in: the one place that
// names every service the all-in-one runs.
package internal

import "github.com/gostack/gostack/internal/cloud"

// Services are the API services gostack runs, in start order. Identity is
// first: every other service validates its tokens through it.
var Services = []cloud.ServiceSpec{
	cloud.IdentitySpec,
	cloud.ImageSpec,
	cloud.PlacementSpec,
	cloud.ComputeSpec,
	cloud.ConsoleSpec,
	cloud.MetadataSpec,
}
