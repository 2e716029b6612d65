// Package metadata is what cloud-init reads about its instance: the config
// drive's file tree and Nova's metadata API (nova.api.metadata), both
// rendered from one Input.
//
//	conductor ── Build(Input) ──► Tree ──► driver.Spec.ConfigDrive (ISO, label config-2)
//	guest ── GET 169.254.169.254/… ──► [network proxy: X-Instance-ID + signature]
//	      ──► Handler(Lookup, Options) ──► Lookup.ByInstanceID / ByAddress ──► Input
//
// Both speak the "openstack" flavour (openstack/<version>/meta_data.json,
// user_data, vendor_data.json, vendor_data2.json, network_data.json,
// password) and the EC2 flavour (<version>/meta-data/…, user-data), with
// Nova's per-version fields.
//
// # Wiring
//
// The conductor builds the config drive where it fills driver.Spec:
//
//	if inst.ConfigDrive {
//		s.ConfigDrive = metadata.Build(metadata.Input{
//			Instance:   *inst,
//			AdminPass:  adminPass,
//			DHCPDomain: metadata.DefaultDHCPDomain, // or the configured domain
//		})
//	}
//
// The metadata API (Nova listens on 8775) is mounted on its own listener;
// the caller implements Lookup over the compute store (and, once networking
// exists, over the ports that map a fixed IP to an instance):
//
//	h := metadata.Handler(lookup, metadata.Options{
//		ProxySharedSecret: cfg.MetadataProxySharedSecret, // Neutron's metadata_proxy_shared_secret
//		Passwords:         passwords,                     // nil: POST password answers 501
//		Log:               log,
//	})
//	srv := &http.Server{Addr: ":8775", Handler: h}
//
// Lookup returns an error wrapping apierr.ErrNotFound for an unknown
// requester; the handler answers 404 as Nova does.
package metadata
