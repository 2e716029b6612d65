package client

import (
	"context"
	"net/url"
	"strconv"
	"strings"
)

// Allocations is a consumer's whole set of allocations: provider uuid →
// class → amount.
type Allocations struct {
	Resources map[string]map[string]int64
	ProjectID string
	UserID    string
	// ConsumerType defaults to "INSTANCE".
	ConsumerType string
	// ConsumerGeneration is what the caller read; nil for a new consumer.
	ConsumerGeneration *int64
}

func (a Allocations) body() map[string]any {
	allocs := map[string]any{}
	for rp, res := range a.Resources {
		allocs[rp] = map[string]any{"resources": res}
	}
	ct := a.ConsumerType
	if ct == "" {
		ct = "INSTANCE"
	}
	return map[string]any{"allocations": allocs, "project_id": a.ProjectID, "user_id": a.UserID,
		"consumer_generation": a.ConsumerGeneration, "consumer_type": ct}
}

// Allocations returns a consumer's allocations; a consumer with none has
// empty Resources and a nil ConsumerGeneration.
func (c *Client) Allocations(ctx context.Context, consumer string) (*Allocations, error) {
	var out struct {
		Allocations map[string]struct {
			Resources map[string]int64 `json:"resources"`
		} `json:"allocations"`
		ProjectID          string `json:"project_id"`
		UserID             string `json:"user_id"`
		ConsumerType       string `json:"consumer_type"`
		ConsumerGeneration *int64 `json:"consumer_generation"`
	}
	if _, err := c.do(ctx, "GET", "/allocations/"+url.PathEscape(consumer), nil, &out); err != nil {
		return nil, err
	}
	a := &Allocations{Resources: map[string]map[string]int64{}, ProjectID: out.ProjectID, UserID: out.UserID,
		ConsumerType: out.ConsumerType, ConsumerGeneration: out.ConsumerGeneration}
	for rp, r := range out.Allocations {
		a.Resources[rp] = r.Resources
	}
	return a, nil
}

// PutAllocations replaces a consumer's allocations. A stale consumer
// generation, or a provider changed underneath, is a 409 concurrent_update.
func (c *Client) PutAllocations(ctx context.Context, consumer string, a Allocations) error {
	_, err := c.do(ctx, "PUT", "/allocations/"+url.PathEscape(consumer), a.body(), nil)
	return err
}

// PostAllocations replaces the allocations of several consumers at once
// (a move: the instance's new claim and the migration's hold).
func (c *Client) PostAllocations(ctx context.Context, byConsumer map[string]Allocations) error {
	in := map[string]any{}
	for cons, a := range byConsumer {
		in[cons] = a.body()
	}
	_, err := c.do(ctx, "POST", "/allocations", in, nil)
	return err
}

// DeleteAllocations removes a consumer's allocations.
func (c *Client) DeleteAllocations(ctx context.Context, consumer string) error {
	_, err := c.do(ctx, "DELETE", "/allocations/"+url.PathEscape(consumer), nil, nil)
	return err
}

// ProviderAllocations returns the allocations against a provider by
// consumer, and the provider generation.
func (c *Client) ProviderAllocations(ctx context.Context, uuid string) (map[string]map[string]int64, int64, error) {
	var out struct {
		Allocations map[string]struct {
			Resources map[string]int64 `json:"resources"`
		} `json:"allocations"`
		Generation int64 `json:"resource_provider_generation"`
	}
	if _, err := c.do(ctx, "GET", rp(uuid)+"/allocations", nil, &out); err != nil {
		return nil, 0, err
	}
	m := map[string]map[string]int64{}
	for cons, r := range out.Allocations {
		m[cons] = r.Resources
	}
	return m, out.Generation, nil
}

// Group is one request group of an allocation candidates query; Suffix
// "" is the unsuffixed group.
type Group struct {
	Suffix    string
	Resources map[string]int64
	Required  []string // traits; "!T" forbids T; "in:A,B" is any of
	MemberOf  []string // each "in:a,b", "a", or "!a"
	InTree    string
}

// CandidateRequest is a GET /allocation_candidates query.
type CandidateRequest struct {
	Groups       []Group
	GroupPolicy  string // "none" or "isolate"; needed with 2+ suffixed groups
	Limit        int
	RootRequired []string
}

// Summary is a provider in a candidates answer.
type Summary struct {
	Resources map[string]struct {
		Capacity int64 `json:"capacity"`
		Used     int64 `json:"used"`
	} `json:"resources"`
	Traits     []string `json:"traits"`
	ParentUUID *string  `json:"parent_provider_uuid"`
	RootUUID   string   `json:"root_provider_uuid"`
}

// Candidate is one allocation request.
type Candidate struct {
	Allocations map[string]map[string]int64 // provider → class → amount
	Mappings    map[string][]string
}

// Candidates is the answer of AllocationCandidates.
type Candidates struct {
	Requests  []Candidate
	Summaries map[string]Summary
}

// AllocationCandidates asks where a request would fit.
func (c *Client) AllocationCandidates(ctx context.Context, r CandidateRequest) (*Candidates, error) {
	q := url.Values{}
	for _, g := range r.Groups {
		var parts []string
		for rc, n := range g.Resources {
			parts = append(parts, rc+":"+itoa(n))
		}
		if len(parts) > 0 {
			q.Set("resources"+g.Suffix, strings.Join(parts, ","))
		}
		for _, t := range g.Required {
			q.Add("required"+g.Suffix, t)
		}
		for _, m := range g.MemberOf {
			q.Add("member_of"+g.Suffix, m)
		}
		if g.InTree != "" {
			q.Set("in_tree"+g.Suffix, g.InTree)
		}
	}
	if r.GroupPolicy != "" {
		q.Set("group_policy", r.GroupPolicy)
	}
	if r.Limit > 0 {
		q.Set("limit", itoa(int64(r.Limit)))
	}
	// root_required may be given once only: its traits go in one value.
	if len(r.RootRequired) > 0 {
		q.Set("root_required", strings.Join(r.RootRequired, ","))
	}
	var out struct {
		Requests []struct {
			Allocations map[string]struct {
				Resources map[string]int64 `json:"resources"`
			} `json:"allocations"`
			Mappings map[string][]string `json:"mappings"`
		} `json:"allocation_requests"`
		Summaries map[string]Summary `json:"provider_summaries"`
	}
	if _, err := c.do(ctx, "GET", "/allocation_candidates?"+q.Encode(), nil, &out); err != nil {
		return nil, err
	}
	res := &Candidates{Summaries: out.Summaries}
	for _, rq := range out.Requests {
		cand := Candidate{Allocations: map[string]map[string]int64{}, Mappings: rq.Mappings}
		for rp, a := range rq.Allocations {
			cand.Allocations[rp] = a.Resources
		}
		res.Requests = append(res.Requests, cand)
	}
	return res, nil
}

// ReshapeInventory is one provider's new inventory in a reshape.
type ReshapeInventory struct {
	Generation  int64
	Inventories map[string]Inventory
}

// Reshape moves inventories and allocations in one step.
func (c *Client) Reshape(ctx context.Context, invs map[string]ReshapeInventory, allocs map[string]Allocations) error {
	in := map[string]any{}
	for rp, ri := range invs {
		inv := ri.Inventories
		if inv == nil {
			inv = map[string]Inventory{}
		}
		in[rp] = map[string]any{"resource_provider_generation": ri.Generation, "inventories": inv}
	}
	as := map[string]any{}
	for cons, a := range allocs {
		as[cons] = a.body()
	}
	_, err := c.do(ctx, "POST", "/reshaper", map[string]any{"inventories": in, "allocations": as}, nil)
	return err
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
