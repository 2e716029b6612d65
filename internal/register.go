// Package internal lists what gostack has built in: the one place that
// names every service the all-in-one runs.
package internal

import (
	blockstoragespec "github.com/gostack/gostack/internal/blockstorage/spec"
	computespec "github.com/gostack/gostack/internal/compute/spec"
	dashboardspec "github.com/gostack/gostack/internal/dashboard/spec"
	identityspec "github.com/gostack/gostack/internal/identity/spec"
	imagespec "github.com/gostack/gostack/internal/image/spec"
	networkspec "github.com/gostack/gostack/internal/network/spec"
	objectspec "github.com/gostack/gostack/internal/objectstorage/spec"
	placementspec "github.com/gostack/gostack/internal/placement/spec"
	"github.com/gostack/gostack/internal/platform/service"
)

// Services are the services gostack runs, in start order. Identity is
// first: every other service validates its tokens through it.
var Services = []service.Spec{
	identityspec.Spec,
	imagespec.Spec,
	placementspec.Spec,
	networkspec.Spec,
	blockstoragespec.Spec,
	computespec.Spec,
	objectspec.Spec,
	dashboardspec.Spec,
}
