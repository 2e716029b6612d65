package client

import (
	"context"
	"net/url"
)

// Inventory is one class's inventory. Zero optional fields get
// Placement's defaults.
type Inventory struct {
	Total           int64   `json:"total"`
	Reserved        int64   `json:"reserved"`
	MinUnit         int64   `json:"min_unit,omitempty"`
	MaxUnit         int64   `json:"max_unit,omitempty"`
	StepSize        int64   `json:"step_size,omitempty"`
	AllocationRatio float64 `json:"allocation_ratio,omitempty"`
}

func rp(uuid string) string { return "/resource_providers/" + url.PathEscape(uuid) }

// Inventories returns a provider's inventories and generation.
func (c *Client) Inventories(ctx context.Context, uuid string) (map[string]Inventory, int64, error) {
	var out struct {
		Inventories map[string]Inventory `json:"inventories"`
		Generation  int64                `json:"resource_provider_generation"`
	}
	_, err := c.do(ctx, "GET", rp(uuid)+"/inventories", nil, &out)
	return out.Inventories, out.Generation, err
}

// SetInventories replaces a provider's inventories at generation gen and
// returns the new generation. A stale gen is a 409 concurrent_update.
func (c *Client) SetInventories(ctx context.Context, uuid string, gen int64, invs map[string]Inventory) (int64, error) {
	if invs == nil {
		invs = map[string]Inventory{}
	}
	in := map[string]any{"resource_provider_generation": gen, "inventories": invs}
	var out struct {
		Generation int64 `json:"resource_provider_generation"`
	}
	_, err := c.do(ctx, "PUT", rp(uuid)+"/inventories", in, &out)
	return out.Generation, err
}

// DeleteInventories removes all of a provider's inventories.
func (c *Client) DeleteInventories(ctx context.Context, uuid string) error {
	_, err := c.do(ctx, "DELETE", rp(uuid)+"/inventories", nil, nil)
	return err
}

// Traits returns a provider's traits and generation.
func (c *Client) Traits(ctx context.Context, uuid string) ([]string, int64, error) {
	var out struct {
		Traits     []string `json:"traits"`
		Generation int64    `json:"resource_provider_generation"`
	}
	_, err := c.do(ctx, "GET", rp(uuid)+"/traits", nil, &out)
	return out.Traits, out.Generation, err
}

// SetTraits replaces a provider's traits at generation gen.
func (c *Client) SetTraits(ctx context.Context, uuid string, gen int64, traits []string) (int64, error) {
	if traits == nil {
		traits = []string{}
	}
	var out struct {
		Generation int64 `json:"resource_provider_generation"`
	}
	_, err := c.do(ctx, "PUT", rp(uuid)+"/traits", map[string]any{"traits": traits, "resource_provider_generation": gen}, &out)
	return out.Generation, err
}

// EnsureTrait creates a CUSTOM_ trait if it does not exist.
func (c *Client) EnsureTrait(ctx context.Context, name string) error {
	_, err := c.do(ctx, "PUT", "/traits/"+url.PathEscape(name), nil, nil)
	return err
}

// EnsureResourceClass creates a CUSTOM_ resource class if missing.
func (c *Client) EnsureResourceClass(ctx context.Context, name string) error {
	_, err := c.do(ctx, "PUT", "/resource_classes/"+url.PathEscape(name), nil, nil)
	return err
}

// Aggregates returns a provider's aggregates and generation.
func (c *Client) Aggregates(ctx context.Context, uuid string) ([]string, int64, error) {
	var out struct {
		Aggregates []string `json:"aggregates"`
		Generation int64    `json:"resource_provider_generation"`
	}
	_, err := c.do(ctx, "GET", rp(uuid)+"/aggregates", nil, &out)
	return out.Aggregates, out.Generation, err
}

// SetAggregates replaces a provider's aggregates at generation gen.
func (c *Client) SetAggregates(ctx context.Context, uuid string, gen int64, aggs []string) (int64, error) {
	if aggs == nil {
		aggs = []string{}
	}
	var out struct {
		Generation int64 `json:"resource_provider_generation"`
	}
	_, err := c.do(ctx, "PUT", rp(uuid)+"/aggregates", map[string]any{"aggregates": aggs, "resource_provider_generation": gen}, &out)
	return out.Generation, err
}

// Usages returns a provider's usage per class and its generation.
func (c *Client) Usages(ctx context.Context, uuid string) (map[string]int64, int64, error) {
	var out struct {
		Usages     map[string]int64 `json:"usages"`
		Generation int64            `json:"resource_provider_generation"`
	}
	_, err := c.do(ctx, "GET", rp(uuid)+"/usages", nil, &out)
	return out.Usages, out.Generation, err
}

// ProjectUsages sums what a project's (and, if userID is set, a user's)
// consumers hold, per resource class (GET /usages).
func (c *Client) ProjectUsages(ctx context.Context, projectID, userID string) (map[string]int64, error) {
	q := url.Values{"project_id": {projectID}}
	if userID != "" {
		q.Set("user_id", userID)
	}
	var out struct {
		Usages map[string]map[string]int64 `json:"usages"`
	}
	if _, err := c.do(ctx, "GET", "/usages?"+q.Encode(), nil, &out); err != nil {
		return nil, err
	}
	sum := map[string]int64{}
	for _, byClass := range out.Usages {
		for rc, n := range byClass {
			if rc != "consumer_count" {
				sum[rc] += n
			}
		}
	}
	return sum, nil
}
