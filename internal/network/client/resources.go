package client

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
)

// Network is a network as the API shows it.
type Network struct {
	ID           string   `json:"id"`
	Name         string   `json:"name"`
	ProjectID    string   `json:"project_id"`
	Status       string   `json:"status"`
	Shared       bool     `json:"shared"`
	External     bool     `json:"router:external"`
	Subnets      []string `json:"subnets"`
	MTU          int      `json:"mtu"`
	AdminStateUp bool     `json:"admin_state_up"`
	// PortSecurity is port_security_enabled (nil when the extension is
	// off).
	PortSecurity *bool `json:"port_security_enabled"`
	// Raw is the whole network as sent, for the proxy APIs.
	Raw map[string]any `json:"-"`
}

// Subnet is a subnet as the API shows it.
type Subnet struct {
	ID             string   `json:"id"`
	Name           string   `json:"name"`
	NetworkID      string   `json:"network_id"`
	ProjectID      string   `json:"project_id"`
	IPVersion      int      `json:"ip_version"`
	CIDR           string   `json:"cidr"`
	GatewayIP      *string  `json:"gateway_ip"`
	EnableDHCP     bool     `json:"enable_dhcp"`
	DNSNameservers []string `json:"dns_nameservers"`
	HostRoutes     []struct {
		Destination string `json:"destination"`
		NextHop     string `json:"nexthop"`
	} `json:"host_routes"`
	IPv6AddressMode string `json:"ipv6_address_mode"`
	IPv6RAMode      string `json:"ipv6_ra_mode"`
}

// FixedIP is one address of a port.
type FixedIP struct {
	SubnetID  string `json:"subnet_id,omitempty"`
	IPAddress string `json:"ip_address,omitempty"`
}

// Port is a port as the API shows it.
type Port struct {
	ID             string         `json:"id"`
	Name           string         `json:"name"`
	NetworkID      string         `json:"network_id"`
	ProjectID      string         `json:"project_id"`
	MAC            string         `json:"mac_address"`
	AdminStateUp   bool           `json:"admin_state_up"`
	Status         string         `json:"status"`
	DeviceID       string         `json:"device_id"`
	DeviceOwner    string         `json:"device_owner"`
	FixedIPs       []FixedIP      `json:"fixed_ips"`
	SecurityGroups []string       `json:"security_groups"`
	HostID         string         `json:"binding:host_id"`
	VIFType        string         `json:"binding:vif_type"`
	VNICType       string         `json:"binding:vnic_type"`
	VIFDetails     map[string]any `json:"binding:vif_details"`
	Profile        map[string]any `json:"binding:profile"`
	PortSecurity   *bool          `json:"port_security_enabled"`
	Tags           []string       `json:"tags"`
}

// FloatingIP is a floating IP as the API shows it.
type FloatingIP struct {
	ID                string  `json:"id"`
	ProjectID         string  `json:"project_id"`
	FloatingIPAddress string  `json:"floating_ip_address"`
	FloatingNetworkID string  `json:"floating_network_id"`
	FixedIPAddress    *string `json:"fixed_ip_address"`
	PortID            *string `json:"port_id"`
	RouterID          *string `json:"router_id"`
	Status            string  `json:"status"`
}

// SecurityGroup is a security group as the API shows it, with its rules.
type SecurityGroup struct {
	ID          string              `json:"id"`
	Name        string              `json:"name"`
	Description string              `json:"description"`
	ProjectID   string              `json:"project_id"`
	Rules       []SecurityGroupRule `json:"security_group_rules"`
}

// SecurityGroupRule is a security group rule as the API shows it.
type SecurityGroupRule struct {
	ID              string  `json:"id"`
	SecurityGroupID string  `json:"security_group_id"`
	ProjectID       string  `json:"project_id"`
	Direction       string  `json:"direction"`
	EtherType       string  `json:"ethertype"`
	Protocol        *string `json:"protocol"`
	PortRangeMin    *int    `json:"port_range_min"`
	PortRangeMax    *int    `json:"port_range_max"`
	RemoteIPPrefix  *string `json:"remote_ip_prefix"`
	RemoteGroupID   *string `json:"remote_group_id"`
}

// ListNetworks lists the networks the token sees that match q.
func (c *Client) ListNetworks(ctx context.Context, token string, q url.Values) ([]Network, error) {
	var raw []json.RawMessage
	if err := c.list(ctx, token, "networks", q, "networks", &raw); err != nil {
		return nil, err
	}
	out := make([]Network, len(raw))
	for i, r := range raw {
		if err := decodeNetwork(r, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// GetNetwork returns a network (404 NetworkNotFound when the token does
// not see it).
func (c *Client) GetNetwork(ctx context.Context, token, id string) (*Network, error) {
	var raw json.RawMessage
	if err := c.one(ctx, http.MethodGet, token, "/v2.0/networks/"+esc(id), "network", nil, &raw); err != nil {
		return nil, err
	}
	n := &Network{}
	return n, decodeNetwork(raw, n)
}

func decodeNetwork(raw json.RawMessage, n *Network) error {
	if err := json.Unmarshal(raw, n); err != nil {
		return err
	}
	return json.Unmarshal(raw, &n.Raw)
}

// ListSubnets lists the subnets the token sees that match q.
func (c *Client) ListSubnets(ctx context.Context, token string, q url.Values) ([]Subnet, error) {
	var out []Subnet
	return out, c.list(ctx, token, "subnets", q, "subnets", &out)
}

// ListPorts lists the ports the token sees that match q (device_id,
// network_id, ...).
func (c *Client) ListPorts(ctx context.Context, token string, q url.Values) ([]Port, error) {
	var out []Port
	return out, c.list(ctx, token, "ports", q, "ports", &out)
}

// GetPort returns a port (404 PortNotFound).
func (c *Client) GetPort(ctx context.Context, token, id string) (*Port, error) {
	p := &Port{}
	return p, c.one(ctx, http.MethodGet, token, "/v2.0/ports/"+esc(id), "port", nil, p)
}

// CreatePort creates a port from its attributes (network_id, fixed_ips,
// device_id, device_owner, binding:host_id, security_groups, ...).
func (c *Client) CreatePort(ctx context.Context, token string, attrs map[string]any) (*Port, error) {
	p := &Port{}
	return p, c.one(ctx, http.MethodPost, token, "/v2.0/ports", "port", attrs, p)
}

// UpdatePort changes a port's attributes.
func (c *Client) UpdatePort(ctx context.Context, token, id string, attrs map[string]any) (*Port, error) {
	p := &Port{}
	return p, c.one(ctx, http.MethodPut, token, "/v2.0/ports/"+esc(id), "port", attrs, p)
}

// DeletePort deletes a port.
func (c *Client) DeletePort(ctx context.Context, token, id string) error {
	return c.call(ctx, http.MethodDelete, token, "/v2.0/ports/"+esc(id), nil, nil)
}

// ListFloatingIPs lists the floating IPs the token sees that match q.
func (c *Client) ListFloatingIPs(ctx context.Context, token string, q url.Values) ([]FloatingIP, error) {
	var out []FloatingIP
	return out, c.list(ctx, token, "floatingips", q, "floatingips", &out)
}

// GetFloatingIP returns a floating IP (404 FloatingIPNotFound).
func (c *Client) GetFloatingIP(ctx context.Context, token, id string) (*FloatingIP, error) {
	f := &FloatingIP{}
	return f, c.one(ctx, http.MethodGet, token, "/v2.0/floatingips/"+esc(id), "floatingip", nil, f)
}

// CreateFloatingIP allocates a floating IP (floating_network_id, ...).
func (c *Client) CreateFloatingIP(ctx context.Context, token string, attrs map[string]any) (*FloatingIP, error) {
	f := &FloatingIP{}
	return f, c.one(ctx, http.MethodPost, token, "/v2.0/floatingips", "floatingip", attrs, f)
}

// UpdateFloatingIP associates (port_id, fixed_ip_address) or
// disassociates (port_id null) a floating IP.
func (c *Client) UpdateFloatingIP(ctx context.Context, token, id string, attrs map[string]any) (*FloatingIP, error) {
	f := &FloatingIP{}
	return f, c.one(ctx, http.MethodPut, token, "/v2.0/floatingips/"+esc(id), "floatingip", attrs, f)
}

// DeleteFloatingIP releases a floating IP.
func (c *Client) DeleteFloatingIP(ctx context.Context, token, id string) error {
	return c.call(ctx, http.MethodDelete, token, "/v2.0/floatingips/"+esc(id), nil, nil)
}

// ListSecurityGroups lists the security groups the token sees that
// match q.
func (c *Client) ListSecurityGroups(ctx context.Context, token string, q url.Values) ([]SecurityGroup, error) {
	var out []SecurityGroup
	return out, c.list(ctx, token, "security-groups", q, "security_groups", &out)
}

// GetSecurityGroup returns a security group with its rules.
func (c *Client) GetSecurityGroup(ctx context.Context, token, id string) (*SecurityGroup, error) {
	g := &SecurityGroup{}
	return g, c.one(ctx, http.MethodGet, token, "/v2.0/security-groups/"+esc(id), "security_group", nil, g)
}

// CreateSecurityGroup creates a security group (name, description).
func (c *Client) CreateSecurityGroup(ctx context.Context, token string, attrs map[string]any) (*SecurityGroup, error) {
	g := &SecurityGroup{}
	return g, c.one(ctx, http.MethodPost, token, "/v2.0/security-groups", "security_group", attrs, g)
}

// UpdateSecurityGroup changes a security group's name or description.
func (c *Client) UpdateSecurityGroup(ctx context.Context, token, id string, attrs map[string]any) (*SecurityGroup, error) {
	g := &SecurityGroup{}
	return g, c.one(ctx, http.MethodPut, token, "/v2.0/security-groups/"+esc(id), "security_group", attrs, g)
}

// DeleteSecurityGroup deletes a security group.
func (c *Client) DeleteSecurityGroup(ctx context.Context, token, id string) error {
	return c.call(ctx, http.MethodDelete, token, "/v2.0/security-groups/"+esc(id), nil, nil)
}

// ListSecurityGroupRules lists the rules the token sees that match q.
func (c *Client) ListSecurityGroupRules(ctx context.Context, token string, q url.Values) ([]SecurityGroupRule, error) {
	var out []SecurityGroupRule
	return out, c.list(ctx, token, "security-group-rules", q, "security_group_rules", &out)
}

// GetSecurityGroupRule returns a rule (404 SecurityGroupRuleNotFound).
func (c *Client) GetSecurityGroupRule(ctx context.Context, token, id string) (*SecurityGroupRule, error) {
	r := &SecurityGroupRule{}
	return r, c.one(ctx, http.MethodGet, token, "/v2.0/security-group-rules/"+esc(id), "security_group_rule", nil, r)
}

// CreateSecurityGroupRule creates a rule.
func (c *Client) CreateSecurityGroupRule(ctx context.Context, token string, attrs map[string]any) (*SecurityGroupRule, error) {
	r := &SecurityGroupRule{}
	return r, c.one(ctx, http.MethodPost, token, "/v2.0/security-group-rules", "security_group_rule", attrs, r)
}

// DeleteSecurityGroupRule deletes a rule.
func (c *Client) DeleteSecurityGroupRule(ctx context.Context, token, id string) error {
	return c.call(ctx, http.MethodDelete, token, "/v2.0/security-group-rules/"+esc(id), nil, nil)
}

// AutoAllocatedTopology returns the network of a project's
// auto-allocated topology, creating it when it does not exist yet.
func (c *Client) AutoAllocatedTopology(ctx context.Context, token, project string) (string, error) {
	var t struct {
		ID string `json:"id"`
	}
	err := c.one(ctx, http.MethodGet, token, "/v2.0/auto-allocated-topology/"+esc(project), "auto_allocated_topology", nil, &t)
	return t.ID, err
}
