package ops

import (
	"encoding/xml"
	"net/http"
	"strings"

	"github.com/gostack/gostack/internal/objectstorage/s3/backend"
	"github.com/gostack/gostack/internal/objectstorage/s3/s3err"
	"github.com/gostack/gostack/internal/objectstorage/s3/s3xml"
)

// cannedACLs are the container ACLs s3api gives S3's canned ACLs
// (swift_acl_translate); Swift has no per-object ACLs.
var cannedACLs = map[string][][2]string{
	"public-read":               {{"X-Container-Read", ".r:*,.rlistings"}},
	"public-read-write":         {{"X-Container-Write", ".r:*"}, {"X-Container-Read", ".r:*,.rlistings"}},
	"private":                   {{"X-Container-Write", "."}, {"X-Container-Read", "."}},
	"bucket-owner-full-control": {{"X-Container-Write", "."}, {"X-Container-Read", "."}},
	"bucket-owner-read":         {{"X-Container-Write", "."}, {"X-Container-Read", "."}},
}

// translateACL returns the container headers of a canned ACL.
func translateACL(acl string) ([][2]string, error) {
	if acl == "authenticated-read" || acl == "log-delivery-write" {
		return nil, s3err.NotImplemented("")
	}
	h, ok := cannedACLs[acl]
	if !ok {
		return nil, s3err.InvalidArgument("x-amz-acl", acl, "")
	}
	return h, nil
}

// aclHeaders adds the container ACL of an x-amz-acl header to h, as
// s3api's handle_acl_header does for every Swift request.
func (c *Request) aclHeaders(h http.Header) error {
	v, ok := c.R.Header["X-Amz-Acl"]
	if !ok {
		return nil
	}
	acl := ""
	if len(v) > 0 {
		acl = v[0]
	}
	hs, err := translateACL(acl)
	if err != nil {
		return err
	}
	for _, kv := range hs {
		h.Set(kv[0], kv[1])
	}
	return nil
}

const xsi = "http://www.w3.org/2001/XMLSchema-instance"

// getACL is GET Bucket (or Object) acl: the owner has FULL_CONTROL, and
// a container readable (or writable) by everyone grants AllUsers READ
// (or WRITE).
func (c *Request) GetACL() error {
	s := &backend.Sub{Method: "HEAD", Container: c.Bucket, Object: c.Key}
	r, err := c.Check(s)
	if err != nil {
		return err
	}
	r.Discard()
	d := s3xml.New("AccessControlPolicy").Owner("Owner", c.UserID).Open("AccessControlList")
	grant := func(grantee, perm string) {
		d.Open("Grant").Raw(grantee).El("Permission", perm).Close()
	}
	var g strings.Builder
	g.WriteString(`<Grantee xmlns:xsi="` + xsi + `" xsi:type="CanonicalUser"><ID>`)
	s3err.Escape(&g, c.UserID)
	g.WriteString("</ID><DisplayName>")
	s3err.Escape(&g, c.UserID)
	g.WriteString("</DisplayName></Grantee>")
	grant(g.String(), "FULL_CONTROL")
	allUsers := `<Grantee xmlns:xsi="` + xsi + `" xsi:type="Group"><URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee>`
	if referrerAllowed(r.Header.Get("X-Container-Read")) {
		grant(allUsers, "READ")
	}
	if referrerAllowed(r.Header.Get("X-Container-Write")) {
		grant(allUsers, "WRITE")
	}
	body := d.Bytes()
	// s3api sends this document as text/plain.
	c.W.Header().Set("Content-Type", "text/plain")
	c.W.Header().Set("Content-Length", itoa(len(body)))
	c.W.WriteHeader(http.StatusOK)
	_, _ = c.W.Write(body)
	return nil
}

// referrerAllowed reports whether a Swift ACL lets any referrer in
// (referrer_allowed with the host "unknown").
func referrerAllowed(acl string) bool {
	allow := false
	for _, item := range strings.Split(acl, ",") {
		item = strings.TrimSpace(item)
		var host string
		switch {
		case strings.HasPrefix(item, ".r:"):
			host = item[3:]
		case strings.HasPrefix(item, ".ref:"):
			host = item[5:]
		case strings.HasPrefix(item, ".referer:"):
			host = item[9:]
		case strings.HasPrefix(item, ".referrer:"):
			host = item[10:]
		default:
			continue
		}
		deny := strings.HasPrefix(host, "-")
		host = strings.TrimPrefix(host, "-")
		if host == "*" || host == "unknown" {
			allow = !deny
		}
	}
	return allow
}

// maxACLBody bounds an AccessControlPolicy document.
const maxACLBody = 200 << 10

// putACL is PUT Bucket acl: a canned ACL (x-amz-acl) or an
// AccessControlPolicy document, set as the container's ACLs. Objects
// have no ACLs of their own in Swift.
func (c *Request) PutACL() error {
	if c.Key != "" {
		return s3err.NotImplemented("")
	}
	body, err := c.ReadXML(maxACLBody)
	if err != nil {
		return err
	}
	_, hasHeader := c.R.Header["X-Amz-Acl"]
	switch {
	case hasHeader && body != nil:
		return s3err.UnexpectedContent()
	case !hasHeader && body == nil:
		return s3err.MissingSecurityHeader("x-amz-acl")
	}
	h := http.Header{}
	if body != nil {
		acl, err := aclFromXML(body)
		if err != nil {
			return err
		}
		hs, err := translateACL(acl)
		if s3err.Is(err, "InvalidArgument") {
			return s3err.MalformedACL()
		}
		if err != nil {
			return err
		}
		for _, kv := range hs {
			h.Set(kv[0], kv[1])
		}
	} else if err := c.aclHeaders(h); err != nil {
		return err
	}
	r, err := c.Check(&backend.Sub{Method: "POST", Container: c.Bucket, Header: h})
	if err != nil {
		return err
	}
	r.Discard()
	backend.S3Headers(c.W.Header(), r.Header)
	c.W.Header().Set("Location", c.Bucket)
	return c.WriteEmpty(http.StatusOK)
}

// aclFromXML reads the canned ACL an AccessControlPolicy amounts to.
func aclFromXML(body []byte) (string, error) {
	var doc struct {
		Grants []struct {
			Grantee struct {
				Type string `xml:"http://www.w3.org/2001/XMLSchema-instance type,attr"`
			} `xml:"Grantee"`
			Permission string `xml:"Permission"`
		} `xml:"AccessControlList>Grant"`
	}
	var probe struct{ XMLName xml.Name }
	if err := xml.Unmarshal(body, &probe); err != nil || probe.XMLName.Local != "AccessControlPolicy" {
		return "", s3err.MalformedACL()
	}
	if err := xml.Unmarshal(body, &doc); err != nil {
		return "", s3err.MalformedACL()
	}
	acl := "unknown"
	for _, g := range doc.Grants {
		switch {
		case g.Permission == "FULL_CONTROL" && g.Grantee.Type == "CanonicalUser" && acl != "public-read" && acl != "public-read-write":
			acl = "private"
		case g.Permission == "READ" && g.Grantee.Type == "Group" && acl != "public-read-write":
			acl = "public-read"
		case g.Permission == "WRITE" && g.Grantee.Type == "Group":
			acl = "public-read-write"
		default:
			acl = "unsupported"
		}
	}
	return acl, nil
}
