package core

import (
	"encoding/base64"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/metadata"
	"github.com/gostack/gostack/internal/compute/nwinfo"
	"github.com/gostack/gostack/internal/compute/volinfo"
)

// Spec is the driver's view of inst, booting img (nil: inst's own image,
// known only by id).
func Spec(inst *compute.Instance, img *compute.ImageMeta, adminPass string) driver.Spec {
	s := driver.Spec{
		UUID: inst.ID, Name: inst.InstanceName(), Hostname: inst.Hostname,
		ProjectID: inst.ProjectID, UserID: inst.UserID,
		Flavor: DriverFlavor(inst.Flavor), Image: DriverImage(inst.ImageRef, img),
		Metadata: inst.Metadata, KeyData: inst.KeyData, AdminPassword: adminPass,
		NICs: nwinfo.Of(inst.SystemMetadata).NICs(), BlockDevices: BlockDevices(inst),
	}
	if volinfo.Backed(inst.BlockDevices) {
		// The root disk is the volume: no image to fetch, no root disk of
		// the flavor's (nor its share of the host's disk).
		s.Image.ID, s.Flavor.RootGB = "", 0
	}
	if inst.UserData != "" {
		if b, err := base64.StdEncoding.DecodeString(inst.UserData); err == nil {
			s.UserData = b
		} else {
			s.UserData = []byte(inst.UserData)
		}
	}
	if inst.ConfigDrive {
		s.ConfigDrive = configDrive(inst, adminPass)
	}
	return s
}

// DriverFlavor is flavor f as the drivers see it.
func DriverFlavor(f compute.Flavor) driver.Flavor {
	return driver.Flavor{
		ID: f.ID, Name: f.Name, VCPUs: int(f.VCPUs), MemoryMB: int(f.RAM),
		RootGB: int(f.Disk), EphemeralGB: int(f.Ephemeral), SwapMB: int(f.Swap), ExtraSpecs: f.ExtraSpecs,
	}
}

// DriverImage is the image a guest boots: img, or only its id when the
// image was not read.
func DriverImage(id string, img *compute.ImageMeta) driver.Image {
	if img == nil {
		return driver.Image{ID: id}
	}
	return driver.Image{ID: img.ID, Format: img.DiskFormat, Properties: img.Properties, MinDiskGB: int(img.MinDisk)}
}

// configDrive is the config drive's file tree, as Nova's
// nova.api.metadata writes the "openstack" flavour of it.
func configDrive(inst *compute.Instance, adminPass string) map[string][]byte {
	// The same tree the metadata API serves (every OpenStack version, the
	// EC2 tree, user data), plus the admin password, which only the config
	// drive carries.
	return metadata.Build(metadata.WithNetwork(metadata.Input{Instance: *inst, AdminPass: adminPass, DHCPDomain: metadata.DefaultDHCPDomain}))
}
