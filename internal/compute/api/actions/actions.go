// Package actions serves what acts on a server: POST
// /servers/{id}/action (one handler and one policy rule per action),
// remote consoles and diagnostics, external events, the instance actions
// recorded, and the migrations of a server and of the cloud.
package actions

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"

	"github.com/gostack/gostack/internal/compute"
	cactions "github.com/gostack/gostack/internal/compute/actions"
	apiservers "github.com/gostack/gostack/internal/compute/api/servers"
	"github.com/gostack/gostack/internal/compute/api/wire"
	"github.com/gostack/gostack/internal/compute/policies"
	cservers "github.com/gostack/gostack/internal/compute/servers"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// Handler serves server actions.
type Handler struct {
	*wire.Rules
	actions *cactions.Service
	servers *cservers.Service
	views   *apiservers.Handler
}

// New returns the action handlers over a and s; views renders the server
// a rebuild answers with.
func New(rules *wire.Rules, a *cactions.Service, s *cservers.Service, views *apiservers.Handler) *Handler {
	return &Handler{Rules: rules, actions: a, servers: s, views: views}
}

// actionPlan is a decoded POST /servers/{id}/action: what to run, and the
// policy rules it needs beyond its own, which the route table checks:
// those that depend on what the body asks for (a target host, trusted
// certificates).
type actionPlan struct {
	extra []string
	act   cactions.Action
	// console is set for the pre-2.6 console actions: protocol and type.
	console [2]string
	// output is set for os-getConsoleOutput; lines is its length.
	output bool
	lines  int
	// noop actions pass their policy check and change nothing
	// (injectNetworkInfo: there is no network to inject).
	noop bool
	// floating is addFloatingIp's or removeFloatingIp's address and
	// fixed address.
	floating [2]string
}

// parseAction validates one action body at 2.minor, as Nova's action
// schemas and microversion windows do: an action outside its window is
// a 404, a removed one a 410, an unknown one a 400.
func parseAction(name string, raw json.RawMessage, minor int) (*actionPlan, error) {
	p := &actionPlan{act: cactions.Action{Kind: name}}
	a := &p.act
	rule := func(r ...string) { p.extra = append(p.extra, r...) }
	var err error
	switch name {
	case "reboot":
		m, err := wire.Object(name, raw, []string{"type"}, "type")
		if err != nil {
			return nil, err
		}
		t, err := wire.StringField("type", m["type"])
		if err != nil {
			return nil, err
		}
		switch t {
		case "HARD", "Hard", "hard":
			a.RebootType = "HARD"
		case "SOFT", "Soft", "soft":
			a.RebootType = "SOFT"
		default:
			return nil, wire.InvalidField("type", m["type"], strconv.Quote(t)+" is not one of ['HARD', 'Hard', 'hard', 'SOFT', 'Soft', 'soft']")
		}
	case "os-start":
	case "os-stop":
	case "pause":
	case "unpause":
	case "suspend":
	case "resume":
	case "lock":
		if minor >= 73 {
			m, err := wire.NullOrObject(name, raw, []string{"locked_reason"})
			if err != nil {
				return nil, err
			}
			if v, ok := m["locked_reason"]; ok {
				if a.LockedReason, err = wire.StringField("locked_reason", v); err != nil {
					return nil, err
				}
				if err := wire.LengthBetween("locked_reason", v, a.LockedReason, 0, 255); err != nil {
					return nil, err
				}
			}
		}
	case "unlock":
	case "rescue":
		m, err := wire.NullOrObject(name, raw, []string{"adminPass", "rescue_image_ref"})
		if err != nil {
			return nil, err
		}
		if v, ok := m["adminPass"]; ok {
			if a.AdminPass, err = wire.StringField("adminPass", v); err != nil {
				return nil, err
			}
		}
		if v, ok := m["rescue_image_ref"]; ok {
			if a.ImageRef, err = wire.UUIDField("rescue_image_ref", v); err != nil {
				return nil, err
			}
		}
	case "unrescue":
	case "rebuild":
		if err := parseRebuild(raw, minor, a); err != nil {
			return nil, err
		}
		if len(a.TrustedCerts) > 0 {
			rule(policies.ServersRebuildTrustedCerts)
		}
	case "resize":
		m, err := wire.Object(name, raw, []string{"flavorRef", "OS-DCF:diskConfig"}, "flavorRef")
		if err != nil {
			return nil, err
		}
		if a.FlavorRef, err = wire.FlavorRefField(m["flavorRef"]); err != nil {
			return nil, err
		}
		if v, ok := m["OS-DCF:diskConfig"]; ok {
			if a.DiskConfig, err = wire.DiskConfigField(v); err != nil {
				return nil, err
			}
		}
	case "confirmResize":
	case "revertResize":
	case "migrate":
		if minor >= 56 {
			m, err := wire.NullOrObject(name, raw, []string{"host"})
			if err != nil {
				return nil, err
			}
			if v, ok := m["host"]; ok && string(v) != "null" {
				if a.Host, err = wire.FQDNField("host", v); err != nil {
					return nil, err
				}
				rule(policies.MigrateHost)
			}
		}
	case "os-migrateLive":
		if err := parseLiveMigrate(raw, minor, a); err != nil {
			return nil, err
		}
	case "evacuate":
		if err := parseEvacuate(raw, minor, a); err != nil {
			return nil, err
		}
	case "shelve":
	case "shelveOffload":
	case "unshelve":
		if minor >= 77 {
			allowed := []string{"availability_zone"}
			if minor >= 91 {
				allowed = append(allowed, "host")
			}
			m, err := wire.NullOrObject(name, raw, allowed)
			if err != nil {
				return nil, err
			}
			if v, ok := m["availability_zone"]; ok {
				if string(v) == "null" && minor >= 91 {
					empty := ""
					a.AZ = &empty
				} else {
					z, err := wire.NameField("availability_zone", v)
					if err != nil {
						return nil, err
					}
					a.AZ = &z
				}
			}
			if v, ok := m["host"]; ok {
				if a.Host, err = wire.FQDNField("host", v); err != nil {
					return nil, err
				}
				rule(policies.UnshelveToHost)
			}
		}
	case "createImage":
		m, err := wire.Object(name, raw, []string{"name", "metadata"}, "name")
		if err != nil {
			return nil, err
		}
		if a.Name, err = wire.NameField("name", m["name"]); err != nil {
			return nil, err
		}
		if v, ok := m["metadata"]; ok {
			if a.Metadata, err = wire.MetadataField("metadata", v); err != nil {
				return nil, err
			}
			a.MetadataSet = true
		}
	case "createBackup":
		m, err := wire.Object(name, raw, []string{"name", "backup_type", "rotation", "metadata"}, "name", "backup_type", "rotation")
		if err != nil {
			return nil, err
		}
		if a.Name, err = wire.NameField("name", m["name"]); err != nil {
			return nil, err
		}
		if a.BackupType, err = wire.StringField("backup_type", m["backup_type"]); err != nil {
			return nil, err
		}
		if a.Rotation, err = wire.CountField("rotation", m["rotation"], 0); err != nil {
			return nil, err
		}
		if v, ok := m["metadata"]; ok {
			if a.Metadata, err = wire.MetadataField("metadata", v); err != nil {
				return nil, err
			}
			a.MetadataSet = true
		}
	case "changePassword":
		m, err := wire.Object(name, raw, []string{"adminPass"}, "adminPass")
		if err != nil {
			return nil, err
		}
		if a.AdminPass, err = wire.StringField("adminPass", m["adminPass"]); err != nil {
			return nil, err
		}
	case "os-resetState":
		m, err := wire.Object(name, raw, []string{"state"}, "state")
		if err != nil {
			return nil, err
		}
		if a.State, err = wire.StringField("state", m["state"]); err != nil {
			return nil, err
		}
		if a.State != "active" && a.State != "error" {
			return nil, wire.InvalidField("state", m["state"], strconv.Quote(a.State)+" is not one of ['active', 'error']")
		}
	case "trigger_crash_dump":
		if minor < 17 {
			return nil, wire.NotFoundResource()
		}
		if string(raw) != "null" {
			return nil, wire.InvalidField(name, raw, string(raw)+" is not of type 'null'")
		}
	case "forceDelete":
	case "restore":
	case "addSecurityGroup", "removeSecurityGroup":
		m, err := wire.Object(name, raw, []string{"name"}, "name")
		if err != nil {
			return nil, err
		}
		if a.SecurityGroup, err = wire.StringField("name", m["name"]); err != nil {
			return nil, err
		}
		if err := wire.LengthBetween("name", m["name"], a.SecurityGroup, 1, 255); err != nil {
			return nil, err
		}
	case "os-getConsoleOutput":
		p.output = true
		p.lines = -1
		m, err := wire.NullOrObject(name, raw, []string{"length"})
		if err != nil {
			return nil, err
		}
		if v, ok := m["length"]; ok && string(v) != "null" {
			n, err := wire.BDMInt("length", v)
			if err != nil {
				return nil, err
			}
			if n != nil {
				if *n < -1 {
					return nil, wire.InvalidField("length", v, string(v)+" is less than the minimum of -1")
				}
				p.lines = *n
			}
		}
	case "os-getVNCConsole", "os-getSPICEConsole", "os-getSerialConsole":
		if minor > 5 {
			return nil, wire.NotFoundResource()
		}
		protocol := map[string]string{"os-getVNCConsole": "vnc", "os-getSPICEConsole": "spice", "os-getSerialConsole": "serial"}[name]
		types := map[string][]string{"os-getVNCConsole": {"novnc", "xvpvnc"}, "os-getSPICEConsole": {"spice-html5"}, "os-getSerialConsole": {"serial"}}[name]
		m, err := wire.Object(name, raw, []string{"type"}, "type")
		if err != nil {
			return nil, err
		}
		t, err := wire.StringField("type", m["type"])
		if err != nil {
			return nil, err
		}
		if !slices.Contains(types, t) {
			return nil, wire.InvalidField("type", m["type"], strconv.Quote(t)+" is not one of "+compute.PyList(types))
		}
		p.console = [2]string{protocol, t}
	case "os-getRDPConsole", "resetNetwork":
		return nil, &apierr.Error{Code: http.StatusGone, Message: "This resource is no longer available in the Nova API."}
	case "injectNetworkInfo":
		p.noop = true
	case "addFloatingIp", "removeFloatingIp":
		if minor > 43 {
			return nil, wire.NotFoundResource()
		}
		allowed := []string{"address"}
		if name == "addFloatingIp" {
			allowed = append(allowed, "fixed_address")
		}
		m, err := wire.Object(name, raw, allowed, "address")
		if err != nil {
			return nil, err
		}
		if p.floating[0], err = wire.IPField("address", m["address"], 0); err != nil {
			return nil, err
		}
		if v, ok := m["fixed_address"]; ok {
			if p.floating[1], err = wire.IPField("fixed_address", v, 0); err != nil {
				return nil, err
			}
		}
	case "addFixedIp", "removeFixedIp":
		if minor > 43 {
			return nil, wire.NotFoundResource()
		}
		return nil, wire.NetworkUnavailable()
	default:
		return nil, wire.BadRequest("There is no such action: %s", name)
	}
	return p, err
}

func parseRebuild(raw json.RawMessage, minor int, a *cactions.Action) error {
	const name = "rebuild"
	allowed := []string{"name", "imageRef", "adminPass", "metadata", "preserve_ephemeral", "OS-DCF:diskConfig", "accessIPv4", "accessIPv6"}
	if minor < 57 {
		allowed = append(allowed, "personality")
	}
	if minor >= 19 {
		allowed = append(allowed, "description")
	}
	if minor >= 54 {
		allowed = append(allowed, "key_name")
	}
	if minor >= 57 {
		allowed = append(allowed, "user_data")
	}
	if minor >= 63 {
		allowed = append(allowed, "trusted_image_certificates")
	}
	if minor >= 90 {
		allowed = append(allowed, "hostname")
	}
	m, err := wire.Object(name, raw, allowed, "imageRef")
	if err != nil {
		return err
	}
	if a.ImageRef, err = wire.UUIDField("imageRef", m["imageRef"]); err != nil {
		return err
	}
	for _, k := range wire.Keys(m) {
		v := m[k]
		switch k {
		case "name":
			a.Name, err = wire.NameField(k, v)
		case "adminPass":
			a.AdminPass, err = wire.StringField(k, v)
		case "metadata":
			a.Metadata, err = wire.MetadataField(k, v)
			a.MetadataSet = true
		case "preserve_ephemeral":
			a.PreserveEphemeral, err = wire.BoolField(k, v)
		case "OS-DCF:diskConfig":
			a.DiskConfig, err = wire.DiskConfigField(v)
		case "accessIPv4", "accessIPv6":
			var ip string
			ver := 4
			if k == "accessIPv6" {
				ver = 6
			}
			if ip, err = wire.IPField(k, v, ver); err == nil {
				if ver == 4 {
					a.AccessIPv4 = &ip
				} else {
					a.AccessIPv6 = &ip
				}
			}
		case "personality":
			_, err = wire.Personality(v)
		case "description":
			var d string
			if d, err = wire.DescriptionField(v); err == nil {
				a.Description = &d
			}
		case "key_name":
			var kn *string
			if kn, err = wire.NullableString(k, v); err == nil {
				if kn == nil {
					empty := ""
					kn = &empty
				} else if err = wire.LengthBetween(k, v, *kn, 1, 255); err != nil {
					return err
				}
				a.KeyName = kn
			}
		case "user_data":
			ud := ""
			if string(v) != "null" {
				ud, err = wire.Base64Field(k, v, 65535)
			}
			a.UserData = &ud
		case "trusted_image_certificates":
			a.TrustedCerts, err = wire.TrustedCerts(v)
		case "hostname":
			var hn string
			if hn, err = wire.HostnameField(v); err == nil {
				a.Hostname = &hn
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func parseLiveMigrate(raw json.RawMessage, minor int, a *cactions.Action) error {
	const name = "os-migrateLive"
	allowed := []string{"host", "block_migration"}
	req := []string{"host", "block_migration"}
	if minor < 25 {
		allowed = append(allowed, "disk_over_commit")
		req = append(req, "disk_over_commit")
	}
	if minor >= 30 && minor < 68 {
		allowed = append(allowed, "force")
	}
	m, err := wire.Object(name, raw, allowed, req...)
	if err != nil {
		return err
	}
	if v := m["host"]; string(v) != "null" {
		if a.Host, err = wire.FQDNField("host", v); err != nil {
			return err
		}
	}
	bm := m["block_migration"]
	var s string
	if minor >= 25 && json.Unmarshal(bm, &s) == nil && s == "auto" {
		a.BlockMigration = nil
	} else {
		var b bool
		if err := json.Unmarshal(bm, &b); err != nil {
			if minor >= 25 {
				return wire.InvalidField("block_migration", bm, string(bm)+" is not one of [True, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes', False, 'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No', 'no', 'auto']")
			}
			if b, err = wire.BoolField("block_migration", bm); err != nil {
				return err
			}
		}
		a.BlockMigration = &b
	}
	if v, ok := m["disk_over_commit"]; ok {
		if _, err := wire.BoolField("disk_over_commit", v); err != nil {
			return err
		}
	}
	if v, ok := m["force"]; ok {
		if a.Force, err = wire.BoolField("force", v); err != nil {
			return err
		}
	}
	return nil
}

func parseEvacuate(raw json.RawMessage, minor int, a *cactions.Action) error {
	const name = "evacuate"
	allowed := []string{"host", "adminPass"}
	var req []string
	if minor < 14 {
		allowed = append(allowed, "onSharedStorage")
		req = append(req, "onSharedStorage")
	}
	if minor >= 29 && minor < 68 {
		allowed = append(allowed, "force")
	}
	m, err := wire.Object(name, raw, allowed, req...)
	if err != nil {
		return err
	}
	if v, ok := m["host"]; ok {
		if a.Host, err = wire.FQDNField("host", v); err != nil {
			return err
		}
	}
	if v, ok := m["adminPass"]; ok {
		if a.AdminPass, err = wire.StringField("adminPass", v); err != nil {
			return err
		}
	}
	if v, ok := m["onSharedStorage"]; ok {
		b, err := wire.BoolField("onSharedStorage", v)
		if err != nil {
			return err
		}
		a.OnSharedStorage = &b
		if b && a.AdminPass != "" {
			return wire.BadRequest("admin password can't be changed on existing disk")
		}
	}
	if v, ok := m["force"]; ok {
		if a.Force, err = wire.BoolField("force", v); err != nil {
			return err
		}
	}
	return nil
}

// actionBody reads the action of a POST /servers/{id}/action body, its
// one top-level key and value, and leaves the body for the next reader:
// the policy target reads it before the handler does.
func actionBody(r *http.Request) (name string, raw json.RawMessage, err error) {
	err = wire.Peek(r, func(r *http.Request) error {
		var top map[string]json.RawMessage
		if err := json.NewDecoder(r.Body).Decode(&top); err != nil || len(top) != 1 {
			return wire.BadRequest("Malformed request body")
		}
		for k, v := range top {
			name, raw = k, v
		}
		return nil
	})
	return name, raw, err
}

// Target is the policy target of a server action: the server's project
// and user. The action is decoded first, so that a body Nova's schema
// refuses is a 400, and a server the caller cannot see a 404, before the
// action's rule may answer 403.
func (h *Handler) Target(r *http.Request) (map[string]any, error) {
	name, raw, err := actionBody(r)
	if err != nil {
		return nil, err
	}
	if _, err := parseAction(name, raw, wire.Minor(r)); err != nil {
		return nil, err
	}
	inst, err := h.servers.Get(r.Context(), h.Caller(r), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return map[string]any{"project_id": inst.ProjectID, "user_id": inst.UserID}, nil
}

// Unknown answers an action the route table does not serve at the
// request's microversion, as Nova does: 404 outside its window, 410 for
// a removed one, 400 for an unknown one or one that needs a network.
func (h *Handler) Unknown(w http.ResponseWriter, r *http.Request) error {
	name, raw, err := actionBody(r)
	if err != nil {
		return err
	}
	if _, err := parseAction(name, raw, wire.Minor(r)); err != nil {
		return err
	}
	return wire.BadRequest("There is no such action: %s", name)
}

// Act serves one action of POST /servers/{id}/action, once the route
// table has checked the action's own policy rule.
func (h *Handler) Act(w http.ResponseWriter, r *http.Request) error {
	name, raw, err := actionBody(r)
	if err != nil {
		return err
	}
	minor := wire.Minor(r)
	plan, err := parseAction(name, raw, minor)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	cl := h.Caller(r)
	inst, err := h.servers.Get(r.Context(), cl, id)
	if err != nil {
		return err
	}
	target := map[string]any{"project_id": inst.ProjectID, "user_id": inst.UserID}
	for _, rule := range plan.extra {
		if err := h.Authorize(r, rule, target); err != nil {
			return err
		}
	}
	if name == "unlock" && inst.Locked {
		expect := "admin"
		if cl.ProjectID == inst.ProjectID {
			expect = "owner"
		}
		if inst.LockedBy != "" && inst.LockedBy != expect {
			if err := h.Authorize(r, policies.UnlockOverride, target); err != nil {
				return err
			}
		}
	}
	if name == "createImage" && inst.ImageRef == "" {
		if err := h.Authorize(r, policies.ServersCreateImageVolumeBacked, target); err != nil {
			return err
		}
	}
	switch {
	case plan.noop:
		w.WriteHeader(http.StatusAccepted)
		return nil
	case h.servers.Network() != nil && (name == "addSecurityGroup" || name == "removeSecurityGroup"):
		// With a network service the groups are the ports'; without
		// one the action service answers for the implicit default.
		f := h.servers.AddSecurityGroup
		if name == "removeSecurityGroup" {
			f = h.servers.RemoveSecurityGroup
		}
		if err := f(r.Context(), cl, id, plan.act.SecurityGroup); err != nil {
			return err
		}
		w.WriteHeader(http.StatusAccepted)
		return nil
	case name == "addFloatingIp":
		if err := h.servers.AddFloatingIP(r.Context(), cl, id, plan.floating[0], plan.floating[1]); err != nil {
			return err
		}
		w.WriteHeader(http.StatusAccepted)
		return nil
	case name == "removeFloatingIp":
		if err := h.servers.RemoveFloatingIP(r.Context(), cl, id, plan.floating[0]); err != nil {
			return err
		}
		w.WriteHeader(http.StatusAccepted)
		return nil
	case plan.output:
		out, err := h.actions.ConsoleOutput(r.Context(), cl, id, plan.lines)
		if err != nil {
			return err
		}
		return wire.Reply(w, http.StatusOK, map[string]any{"output": out})
	case plan.console[0] != "":
		cu, err := h.actions.RemoteConsole(r.Context(), cl, id, plan.console[0], plan.console[1])
		if err != nil {
			return err
		}
		return wire.Reply(w, http.StatusOK, map[string]any{"console": map[string]any{"type": plan.console[1], "url": cu.URL}})
	}
	res, err := h.actions.Act(r.Context(), cl, id, plan.act)
	if err != nil {
		return err
	}
	if res == nil {
		res = &cactions.Result{}
	}
	switch name {
	case "confirmResize":
		return httpapi.NoContent(w)
	case "rescue":
		return wire.Reply(w, http.StatusOK, map[string]any{"adminPass": res.AdminPass})
	case "evacuate":
		if minor < 14 {
			return wire.Reply(w, http.StatusOK, map[string]any{"adminPass": res.AdminPass})
		}
		w.WriteHeader(http.StatusOK)
		return nil
	case "rebuild":
		shown := res.Instance
		if shown == nil {
			if shown, err = h.servers.Get(r.Context(), cl, id); err != nil {
				return err
			}
		}
		view := h.views.Viewer(r).Show(shown, true)
		if res.AdminPass != "" {
			view["adminPass"] = res.AdminPass
		}
		if minor >= 54 && minor < 75 {
			view["key_name"] = wire.NilIfEmpty(shown.KeyName)
		}
		if minor >= 57 {
			// The full view of 2.75 shows user_data under this
			// name, not as the extended attribute.
			delete(view, "OS-EXT-SRV-ATTR:user_data")
			view["user_data"] = wire.NilIfEmpty(shown.UserData)
		}
		return wire.Reply(w, http.StatusAccepted, map[string]any{"server": view})
	case "createImage", "createBackup":
		if res.ImageID == "" {
			w.WriteHeader(http.StatusAccepted)
			return nil
		}
		if minor >= 45 {
			return wire.Reply(w, http.StatusAccepted, map[string]any{"image_id": res.ImageID})
		}
		w.Header().Set("Location", wire.BaseOf(r).Bookmark("images/"+res.ImageID))
		w.WriteHeader(http.StatusAccepted)
		return nil
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}
