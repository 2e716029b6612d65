package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

var errNoInstance = errors.New("compute: create answered no instance")

// actionPlan is a decoded POST /servers/{id}/action: the policy rules it
// needs and what to run.
type actionPlan struct {
	rules []string
	act   compute.ServerAction
	// console is set for the pre-2.6 console actions: protocol and type.
	console [2]string
	// output is set for os-getConsoleOutput; lines is its length.
	output bool
	lines  int
	// noop actions pass their policy check and change nothing
	// (injectNetworkInfo: there is no network to inject).
	noop bool
}

// networkUnavailable is the answer to actions that need a network service.
func networkUnavailable() error {
	return badRequest("The network service is not available in this cloud yet.")
}

func notFoundResource() error {
	return &apierr.Error{Code: http.StatusNotFound, Message: "The resource could not be found."}
}

// nullOrObject reads an action value that may be null (nil) or an
// object limited to allowed fields.
func nullOrObject(action string, raw json.RawMessage, allowed []string) (map[string]json.RawMessage, error) {
	if string(raw) == "null" {
		return nil, nil
	}
	m, err := objectField(action, raw, false)
	if err != nil {
		return nil, invalidField(action, raw, string(raw)+" is not of type 'object', 'null'")
	}
	if err := onlyFields(action, m, allowed); err != nil {
		return nil, err
	}
	return m, nil
}

// object reads an action value that must be an object of allowed fields
// with the required ones.
func object(action string, raw json.RawMessage, allowed []string, req ...string) (map[string]json.RawMessage, error) {
	m, err := objectField(action, raw, false)
	if err != nil {
		return nil, err
	}
	if err := onlyFields(action, m, allowed); err != nil {
		return nil, err
	}
	if err := required(action, m, req...); err != nil {
		return nil, err
	}
	return m, nil
}

// parseAction validates one action body at 2.minor, as Nova's action
// schemas and microversion windows do.
func parseAction(name string, raw json.RawMessage, minor int) (*actionPlan, error) {
	p := &actionPlan{act: compute.ServerAction{Kind: name}}
	a := &p.act
	rule := func(r ...string) { p.rules = append(p.rules, r...) }
	var err error
	switch name {
	case "reboot":
		rule(compute.RuleServersReboot)
		m, err := object(name, raw, []string{"type"}, "type")
		if err != nil {
			return nil, err
		}
		t, err := stringField("type", m["type"])
		if err != nil {
			return nil, err
		}
		switch t {
		case "HARD", "Hard", "hard":
			a.RebootType = "HARD"
		case "SOFT", "Soft", "soft":
			a.RebootType = "SOFT"
		default:
			return nil, invalidField("type", m["type"], strconv.Quote(t)+" is not one of ['HARD', 'Hard', 'hard', 'SOFT', 'Soft', 'soft']")
		}
	case "os-start":
		rule(compute.RuleServersStart)
	case "os-stop":
		rule(compute.RuleServersStop)
	case "pause":
		rule(compute.RulePause)
	case "unpause":
		rule(compute.RuleUnpause)
	case "suspend":
		rule(compute.RuleSuspend)
	case "resume":
		rule(compute.RuleResume)
	case "lock":
		rule(compute.RuleLock)
		if minor >= 73 {
			m, err := nullOrObject(name, raw, []string{"locked_reason"})
			if err != nil {
				return nil, err
			}
			if v, ok := m["locked_reason"]; ok {
				if a.LockedReason, err = stringField("locked_reason", v); err != nil {
					return nil, err
				}
				if err := lengthBetween("locked_reason", v, a.LockedReason, 0, 255); err != nil {
					return nil, err
				}
			}
		}
	case "unlock":
		rule(compute.RuleUnlock)
	case "rescue":
		rule(compute.RuleRescue)
		m, err := nullOrObject(name, raw, []string{"adminPass", "rescue_image_ref"})
		if err != nil {
			return nil, err
		}
		if v, ok := m["adminPass"]; ok {
			if a.AdminPass, err = stringField("adminPass", v); err != nil {
				return nil, err
			}
		}
		if v, ok := m["rescue_image_ref"]; ok {
			if a.ImageRef, err = uuidField("rescue_image_ref", v); err != nil {
				return nil, err
			}
		}
	case "unrescue":
		rule(compute.RuleUnrescue)
	case "rebuild":
		rule(compute.RuleServersRebuild)
		if err := parseRebuild(raw, minor, a); err != nil {
			return nil, err
		}
		if len(a.TrustedCerts) > 0 {
			rule(compute.RuleServersRebuildTrustedCerts)
		}
	case "resize":
		rule(compute.RuleServersResize)
		m, err := object(name, raw, []string{"flavorRef", "OS-DCF:diskConfig"}, "flavorRef")
		if err != nil {
			return nil, err
		}
		if a.FlavorRef, err = flavorRefField(m["flavorRef"]); err != nil {
			return nil, err
		}
		if v, ok := m["OS-DCF:diskConfig"]; ok {
			if a.DiskConfig, err = diskConfigField(v); err != nil {
				return nil, err
			}
		}
	case "confirmResize":
		rule(compute.RuleServersConfirmResize)
	case "revertResize":
		rule(compute.RuleServersRevertResize)
	case "migrate":
		rule(compute.RuleMigrate)
		if minor >= 56 {
			m, err := nullOrObject(name, raw, []string{"host"})
			if err != nil {
				return nil, err
			}
			if v, ok := m["host"]; ok && string(v) != "null" {
				if a.Host, err = fqdnField("host", v); err != nil {
					return nil, err
				}
				rule(compute.RuleMigrateHost)
			}
		}
	case "os-migrateLive":
		rule(compute.RuleMigrateLive)
		if err := parseLiveMigrate(raw, minor, a); err != nil {
			return nil, err
		}
	case "evacuate":
		rule(compute.RuleEvacuate)
		if err := parseEvacuate(raw, minor, a); err != nil {
			return nil, err
		}
	case "shelve":
		rule(compute.RuleShelve)
	case "shelveOffload":
		rule(compute.RuleShelveOffload)
	case "unshelve":
		rule(compute.RuleUnshelve)
		if minor >= 77 {
			allowed := []string{"availability_zone"}
			if minor >= 91 {
				allowed = append(allowed, "host")
			}
			m, err := nullOrObject(name, raw, allowed)
			if err != nil {
				return nil, err
			}
			if v, ok := m["availability_zone"]; ok {
				if string(v) == "null" && minor >= 91 {
					empty := ""
					a.AZ = &empty
				} else {
					z, err := nameField("availability_zone", v)
					if err != nil {
						return nil, err
					}
					a.AZ = &z
				}
			}
			if v, ok := m["host"]; ok {
				if a.Host, err = fqdnField("host", v); err != nil {
					return nil, err
				}
				rule(compute.RuleUnshelveToHost)
			}
		}
	case "createImage":
		rule(compute.RuleServersCreateImage)
		m, err := object(name, raw, []string{"name", "metadata"}, "name")
		if err != nil {
			return nil, err
		}
		if a.Name, err = nameField("name", m["name"]); err != nil {
			return nil, err
		}
		if v, ok := m["metadata"]; ok {
			if a.Metadata, err = metadataField("metadata", v); err != nil {
				return nil, err
			}
			a.MetadataSet = true
		}
	case "createBackup":
		rule(compute.RuleCreateBackup)
		m, err := object(name, raw, []string{"name", "backup_type", "rotation", "metadata"}, "name", "backup_type", "rotation")
		if err != nil {
			return nil, err
		}
		if a.Name, err = nameField("name", m["name"]); err != nil {
			return nil, err
		}
		if a.BackupType, err = stringField("backup_type", m["backup_type"]); err != nil {
			return nil, err
		}
		if a.Rotation, err = countField("rotation", m["rotation"], 0); err != nil {
			return nil, err
		}
		if v, ok := m["metadata"]; ok {
			if a.Metadata, err = metadataField("metadata", v); err != nil {
				return nil, err
			}
			a.MetadataSet = true
		}
	case "changePassword":
		rule(compute.RuleAdminPassword)
		m, err := object(name, raw, []string{"adminPass"}, "adminPass")
		if err != nil {
			return nil, err
		}
		if a.AdminPass, err = stringField("adminPass", m["adminPass"]); err != nil {
			return nil, err
		}
	case "os-resetState":
		rule(compute.RuleResetState)
		m, err := object(name, raw, []string{"state"}, "state")
		if err != nil {
			return nil, err
		}
		if a.State, err = stringField("state", m["state"]); err != nil {
			return nil, err
		}
		if a.State != "active" && a.State != "error" {
			return nil, invalidField("state", m["state"], strconv.Quote(a.State)+" is not one of ['active', 'error']")
		}
	case "trigger_crash_dump":
		if minor < 17 {
			return nil, notFoundResource()
		}
		rule(compute.RuleServersCrashDump)
		if string(raw) != "null" {
			return nil, invalidField(name, raw, string(raw)+" is not of type 'null'")
		}
	case "forceDelete":
		rule(compute.RuleForceDelete)
	case "restore":
		rule(compute.RuleRestore)
	case "addSecurityGroup", "removeSecurityGroup":
		if name == "addSecurityGroup" {
			rule(compute.RuleSecurityGroupsAdd)
		} else {
			rule(compute.RuleSecurityGroupsRemove)
		}
		m, err := object(name, raw, []string{"name"}, "name")
		if err != nil {
			return nil, err
		}
		if a.SecurityGroup, err = stringField("name", m["name"]); err != nil {
			return nil, err
		}
		if err := lengthBetween("name", m["name"], a.SecurityGroup, 1, 255); err != nil {
			return nil, err
		}
	case "os-getConsoleOutput":
		rule(compute.RuleConsoleOutput)
		p.output = true
		p.lines = -1
		m, err := nullOrObject(name, raw, []string{"length"})
		if err != nil {
			return nil, err
		}
		if v, ok := m["length"]; ok && string(v) != "null" {
			n, err := bdmInt("length", v)
			if err != nil {
				return nil, err
			}
			if n != nil {
				if *n < -1 {
					return nil, invalidField("length", v, string(v)+" is less than the minimum of -1")
				}
				p.lines = *n
			}
		}
	case "os-getVNCConsole", "os-getSPICEConsole", "os-getSerialConsole":
		if minor > 5 {
			return nil, notFoundResource()
		}
		rule(compute.RuleRemoteConsoles)
		protocol := map[string]string{"os-getVNCConsole": "vnc", "os-getSPICEConsole": "spice", "os-getSerialConsole": "serial"}[name]
		types := map[string][]string{"os-getVNCConsole": {"novnc", "xvpvnc"}, "os-getSPICEConsole": {"spice-html5"}, "os-getSerialConsole": {"serial"}}[name]
		m, err := object(name, raw, []string{"type"}, "type")
		if err != nil {
			return nil, err
		}
		t, err := stringField("type", m["type"])
		if err != nil {
			return nil, err
		}
		if !slices.Contains(types, t) {
			return nil, invalidField("type", m["type"], strconv.Quote(t)+" is not one of "+quoteList(types))
		}
		p.console = [2]string{protocol, t}
	case "os-getRDPConsole", "resetNetwork":
		return nil, &apierr.Error{Code: http.StatusGone, Message: "This resource is no longer available in the Nova API."}
	case "injectNetworkInfo":
		rule(compute.RuleInjectNetworkInfo)
		p.noop = true
	case "addFixedIp", "removeFixedIp", "addFloatingIp", "removeFloatingIp":
		if minor > 43 {
			return nil, notFoundResource()
		}
		return nil, networkUnavailable()
	default:
		return nil, badRequest("There is no such action: %s", name)
	}
	return p, err
}

func quoteList(items []string) string {
	out := "["
	for i, s := range items {
		if i > 0 {
			out += ", "
		}
		out += "'" + s + "'"
	}
	return out + "]"
}

func parseRebuild(raw json.RawMessage, minor int, a *compute.ServerAction) error {
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
	m, err := object(name, raw, allowed, "imageRef")
	if err != nil {
		return err
	}
	if a.ImageRef, err = uuidField("imageRef", m["imageRef"]); err != nil {
		return err
	}
	for _, k := range keys(m) {
		v := m[k]
		switch k {
		case "name":
			a.Name, err = nameField(k, v)
		case "adminPass":
			a.AdminPass, err = stringField(k, v)
		case "metadata":
			a.Metadata, err = metadataField(k, v)
			a.MetadataSet = true
		case "preserve_ephemeral":
			a.PreserveEphemeral, err = boolField(k, v)
		case "OS-DCF:diskConfig":
			a.DiskConfig, err = diskConfigField(v)
		case "accessIPv4", "accessIPv6":
			var ip string
			ver := 4
			if k == "accessIPv6" {
				ver = 6
			}
			if ip, err = ipField(k, v, ver); err == nil {
				if ver == 4 {
					a.AccessIPv4 = &ip
				} else {
					a.AccessIPv6 = &ip
				}
			}
		case "personality":
			_, err = personality(v)
		case "description":
			var d string
			if d, err = descriptionField(v); err == nil {
				a.Description = &d
			}
		case "key_name":
			var kn *string
			if kn, err = nullableString(k, v); err == nil {
				if kn == nil {
					empty := ""
					kn = &empty
				} else if err = lengthBetween(k, v, *kn, 1, 255); err != nil {
					return err
				}
				a.KeyName = kn
			}
		case "user_data":
			ud := ""
			if string(v) != "null" {
				ud, err = base64Field(k, v, 65535)
			}
			a.UserData = &ud
		case "trusted_image_certificates":
			a.TrustedCerts, err = trustedCerts(v)
		case "hostname":
			var hn string
			if hn, err = hostnameField(v); err == nil {
				a.Hostname = &hn
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func parseLiveMigrate(raw json.RawMessage, minor int, a *compute.ServerAction) error {
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
	m, err := object(name, raw, allowed, req...)
	if err != nil {
		return err
	}
	if v := m["host"]; string(v) != "null" {
		if a.Host, err = fqdnField("host", v); err != nil {
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
				return invalidField("block_migration", bm, string(bm)+" is not one of [True, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes', False, 'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No', 'no', 'auto']")
			}
			if b, err = boolField("block_migration", bm); err != nil {
				return err
			}
		}
		a.BlockMigration = &b
	}
	if v, ok := m["disk_over_commit"]; ok {
		if _, err := boolField("disk_over_commit", v); err != nil {
			return err
		}
	}
	if v, ok := m["force"]; ok {
		if a.Force, err = boolField("force", v); err != nil {
			return err
		}
	}
	return nil
}

func parseEvacuate(raw json.RawMessage, minor int, a *compute.ServerAction) error {
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
	m, err := object(name, raw, allowed, req...)
	if err != nil {
		return err
	}
	if v, ok := m["host"]; ok {
		if a.Host, err = fqdnField("host", v); err != nil {
			return err
		}
	}
	if v, ok := m["adminPass"]; ok {
		if a.AdminPass, err = stringField("adminPass", v); err != nil {
			return err
		}
	}
	if v, ok := m["onSharedStorage"]; ok {
		b, err := boolField("onSharedStorage", v)
		if err != nil {
			return err
		}
		a.OnSharedStorage = &b
		if b && a.AdminPass != "" {
			return badRequest("admin password can't be changed on existing disk")
		}
	}
	if v, ok := m["force"]; ok {
		if a.Force, err = boolField("force", v); err != nil {
			return err
		}
	}
	return nil
}

// serverAction serves POST /servers/{id}/action.
func (h *Handler) serverAction(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil || top == nil {
		return badRequest("Malformed request body")
	}
	if len(top) != 1 {
		return badRequest("Malformed request body: too many body keys")
	}
	var name string
	var raw json.RawMessage
	for k, v := range top {
		name, raw = k, v
	}
	minor := httpapi.VersionFrom(r.Context()).Minor
	plan, err := parseAction(name, raw, minor)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	cl := caller(r)
	inst, err := h.svc.Server(r.Context(), cl, id)
	if err != nil {
		return err
	}
	target := map[string]any{"project_id": inst.ProjectID, "user_id": inst.UserID}
	for _, rule := range plan.rules {
		if err := h.authorize(r, rule, target); err != nil {
			return err
		}
	}
	if name == "unlock" && inst.Locked {
		expect := "admin"
		if cl.ProjectID == inst.ProjectID {
			expect = "owner"
		}
		if inst.LockedBy != "" && inst.LockedBy != expect {
			if err := h.authorize(r, compute.RuleUnlockOverride, target); err != nil {
				return err
			}
		}
	}
	if name == "createImage" && inst.ImageRef == "" {
		if err := h.authorize(r, compute.RuleServersCreateImageVolumeBacked, target); err != nil {
			return err
		}
	}
	switch {
	case plan.noop:
		w.WriteHeader(http.StatusAccepted)
		return nil
	case plan.output:
		out, err := h.svc.ConsoleOutput(r.Context(), cl, id, plan.lines)
		if err != nil {
			return err
		}
		return reply(w, http.StatusOK, map[string]any{"output": out})
	case plan.console[0] != "":
		cu, err := h.svc.RemoteConsole(r.Context(), cl, id, plan.console[0], plan.console[1])
		if err != nil {
			return err
		}
		return reply(w, http.StatusOK, map[string]any{"console": map[string]any{"type": plan.console[1], "url": cu.URL}})
	}
	res, err := h.svc.Act(r.Context(), cl, id, plan.act)
	if err != nil {
		return err
	}
	if res == nil {
		res = &compute.ActionResult{}
	}
	switch name {
	case "confirmResize":
		return httpapi.NoContent(w)
	case "rescue":
		return reply(w, http.StatusOK, map[string]any{"adminPass": res.AdminPass})
	case "evacuate":
		if minor < 14 {
			return reply(w, http.StatusOK, map[string]any{"adminPass": res.AdminPass})
		}
		w.WriteHeader(http.StatusOK)
		return nil
	case "rebuild":
		shown := res.Instance
		if shown == nil {
			if shown, err = h.svc.Server(r.Context(), cl, id); err != nil {
				return err
			}
		}
		view := h.viewer(r).show(shown, true)
		if res.AdminPass != "" {
			view["adminPass"] = res.AdminPass
		}
		if minor >= 54 && minor < 75 {
			view["key_name"] = nilIfEmpty(shown.KeyName)
		}
		if minor >= 57 {
			// The full view of 2.75 shows user_data under this
			// name, not as the extended attribute.
			delete(view, "OS-EXT-SRV-ATTR:user_data")
			view["user_data"] = nilIfEmpty(shown.UserData)
		}
		return reply(w, http.StatusAccepted, map[string]any{"server": view})
	case "createImage", "createBackup":
		if res.ImageID == "" {
			w.WriteHeader(http.StatusAccepted)
			return nil
		}
		if minor >= 45 {
			return reply(w, http.StatusAccepted, map[string]any{"image_id": res.ImageID})
		}
		w.Header().Set("Location", baseOf(r).bookmark("images/"+res.ImageID))
		w.WriteHeader(http.StatusAccepted)
		return nil
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}
