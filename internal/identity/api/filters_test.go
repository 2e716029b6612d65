package api_test

import (
	"net/url"
	"slices"
	"testing"

	"github.com/gostack/gostack/internal/identity/directory"
)

// TestInexactFilters runs Keystone's inexact filters (<attr>__contains
// and its case-insensitive, prefix and suffix forms) over every list and
// every attribute Keystone's lists accept as filters.
func TestInexactFilters(t *testing.T) {
	c := newCloud(t, directory.SecurityCompliance{})
	a := c.admin
	create := func(path, kind string, body map[string]any) string {
		t.Helper()
		return str(obj(c.must(201, a, "POST", path, map[string]any{kind: body}), kind), "id")
	}
	// Every name below carries Alpha or Beta, which nothing bootstrap
	// creates carries, so the expected sets are exact.
	dAlpha := create("/v3/domains", "domain", map[string]any{"name": "Dom-Alpha"})
	create("/v3/domains", "domain", map[string]any{"name": "dom-beta", "enabled": false})
	create("/v3/services", "service", map[string]any{"type": "Compute-Alpha", "name": "nova-alpha"})
	sBeta := create("/v3/services", "service", map[string]any{"type": "image-beta", "name": "Glance-Beta"})
	create("/v3/roles", "role", map[string]any{"name": "Reader-Alpha"})
	create("/v3/roles", "role", map[string]any{"name": "writer-beta"})
	create("/v3/roles", "role", map[string]any{"name": "Scoped-Alpha", "domain_id": dAlpha})
	create("/v3/groups", "group", map[string]any{"name": "Group-Alpha", "domain_id": "default"})
	create("/v3/groups", "group", map[string]any{"name": "group-beta", "domain_id": "default"})
	create("/v3/groups", "group", map[string]any{"name": "Group-Gamma", "domain_id": dAlpha})
	create("/v3/regions", "region", map[string]any{"id": "Alpha-Parent"})
	create("/v3/regions", "region", map[string]any{"id": "Alpha-Child", "parent_region_id": "Alpha-Parent"})
	create("/v3/regions", "region", map[string]any{"id": "beta-child", "parent_region_id": "RegionOne"})
	epInternal := create("/v3/endpoints", "endpoint", map[string]any{"service_id": sBeta, "interface": "internal", "url": "http://b/i", "region_id": "Alpha-Child"})
	epPublic := create("/v3/endpoints", "endpoint", map[string]any{"service_id": sBeta, "interface": "public", "url": "http://b/p", "region_id": "beta-child"})
	uAlpha := create("/v3/users", "user", map[string]any{"name": "User-Alpha", "domain_id": dAlpha})
	uBeta := create("/v3/users", "user", map[string]any{"name": "user-beta", "domain_id": "default"})
	ec2 := create("/v3/credentials", "credential", map[string]any{"user_id": uAlpha, "type": "ec2", "project_id": c.res.AdminProjectID, "blob": `{"access":"a1","secret":"s1"}`})
	cert := create("/v3/credentials", "credential", map[string]any{"user_id": uBeta, "type": "cert", "blob": "x"})
	create("/v3/projects", "project", map[string]any{"name": "Proj-Alpha", "domain_id": dAlpha})

	for _, tc := range []struct {
		list, key, query string // key: the attribute the result is read by
		want             []string
	}{
		{"services", "name", "type__contains=Alpha", []string{"nova-alpha"}},
		{"services", "name", "type__contains=alpha", nil},
		{"services", "name", "type__icontains=ALPHA", []string{"nova-alpha"}},
		{"services", "name", "type__startswith=image", []string{"Glance-Beta"}},
		{"services", "name", "type__istartswith=COMPUTE-", []string{"nova-alpha"}},
		{"services", "name", "name__endswith=Beta", []string{"Glance-Beta"}},
		{"services", "name", "name__iendswith=BETA", []string{"Glance-Beta"}},
		{"services", "name", "name__contains=a-&type__contains=Compute", []string{"nova-alpha"}},
		{"roles", "name", "name__contains=Alpha", []string{"Reader-Alpha"}},
		{"roles", "name", "name__icontains=beta", []string{"writer-beta"}},
		{"roles", "name", "name__istartswith=reader-", []string{"Reader-Alpha"}},
		{"roles", "name", "domain_id=" + dAlpha + "&name__endswith=Alpha", []string{"Scoped-Alpha"}},
		// Without domain_id the list holds global roles only.
		{"roles", "name", "domain_id__startswith=" + dAlpha[:8], nil},
		{"roles", "name", "domain_id=" + dAlpha + "&domain_id__startswith=" + dAlpha[:8], []string{"Scoped-Alpha"}},
		{"roles", "name", "domain_id=" + dAlpha + "&domain_id__startswith=x", nil},
		{"groups", "name", "name__startswith=Group", []string{"Group-Alpha", "Group-Gamma"}},
		{"groups", "name", "name__istartswith=group", []string{"Group-Alpha", "Group-Gamma", "group-beta"}},
		{"groups", "name", "name__iendswith=BETA", []string{"group-beta"}},
		{"groups", "name", "domain_id=" + dAlpha + "&name__icontains=gamma", []string{"Group-Gamma"}},
		{"groups", "name", "domain_id__endswith=ault&name__contains=Alpha", []string{"Group-Alpha"}},
		{"regions", "id", "parent_region_id__startswith=Alpha", []string{"Alpha-Child"}},
		{"regions", "id", "parent_region_id__icontains=regionone", []string{"beta-child"}},
		{"regions", "id", "parent_region_id__endswith=One", []string{"beta-child"}},
		{"domains", "name", "name__contains=Alpha", []string{"Dom-Alpha"}},
		{"domains", "name", "name__istartswith=DOM-", []string{"Dom-Alpha", "dom-beta"}},
		{"domains", "name", "name__istartswith=DOM-&enabled__iequals=FALSE", []string{"dom-beta"}},
		{"domains", "name", "name__iendswith=-beta", []string{"dom-beta"}},
		{"endpoints", "id", "service_id=" + sBeta + "&interface__contains=tern", []string{epInternal}},
		{"endpoints", "id", "service_id__startswith=" + sBeta[:10], []string{epInternal, epPublic}},
		{"endpoints", "id", "region_id__iendswith=-CHILD", []string{epInternal, epPublic}},
		{"endpoints", "id", "region_id__startswith=beta", []string{epPublic}},
		{"credentials", "id", "type__startswith=ec", []string{ec2}},
		{"credentials", "id", "type__iendswith=ERT", []string{cert}},
		{"credentials", "id", "user_id__contains=" + uAlpha[4:12], []string{ec2}},
		{"users", "name", "domain_id=" + dAlpha + "&name__iendswith=alpha", []string{"User-Alpha"}},
		{"users", "name", "name__startswith=user-", []string{"user-beta"}},
		{"projects", "name", "domain_id=" + dAlpha + "&name__icontains=ALPHA", []string{"Proj-Alpha"}},
		// A filter on an attribute the list does not filter on is ignored,
		// as Keystone ignores it.
		{"services", "name", "description__contains=zzz&name__contains=Glance", []string{"Glance-Beta"}},
	} {
		t.Run(tc.list+"?"+tc.query, func(t *testing.T) {
			q, err := url.ParseQuery(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, x := range list(c.must(200, a, "GET", "/v3/"+tc.list+"?"+q.Encode(), nil), tc.list) {
				got = append(got, str(x.(map[string]any), tc.key))
			}
			slices.Sort(got)
			want := slices.Clone(tc.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}
