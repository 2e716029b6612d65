package authn

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/gostack/gostack/internal/identity/credential"
	"github.com/gostack/gostack/internal/identity/ec2"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
	"github.com/gostack/gostack/internal/platform/pyfmt"
)

// ec2AuthTTL is how long after its timestamp a signed request is taken:
// Keystone's [credential] auth_ttl default, 15 minutes.
const ec2AuthTTL = 15 * time.Minute

// EC2 serves POST /v3/ec2tokens and /v3/s3tokens: the signature checks
// that EC2 and S3 front ends delegate to Keystone, answered with a token
// of the ec2 credential's user on its project.
type EC2 struct {
	h     *Handler
	creds *credential.Service
}

// NewEC2 returns the ec2tokens and s3tokens handlers; h renders and
// issues the tokens, creds holds the access keys.
func NewEC2(h *Handler, creds *credential.Service) *EC2 { return &EC2{h: h, creds: creds} }

// unauthorized is Keystone's 401 for every failed check: which check
// failed goes to the log only.
func unauthorized(cause error) error {
	return apierr.Unauthorized("The request you have made requires authentication.").WithCause(cause)
}

// validation is Keystone's ValidationError wording.
func validation(attr, target string) error {
	return apierr.BadRequest("Expecting to find %s in %s. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.", attr, target)
}

// decodeCredentials reads {"credentials": {...}} (or Keystone's older
// "ec2Credentials") and checks that it names an access key.
func decodeCredentials(r *http.Request) (map[string]any, string, error) {
	var body map[string]any
	if err := httpapi.Decode(r, &body, httpapi.DecodeOptions{}); err != nil {
		return nil, "", err
	}
	c, _ := body["credentials"].(map[string]any)
	if c == nil {
		c, _ = body["ec2Credentials"].(map[string]any)
	}
	if c == nil {
		return nil, "", validation("credentials", "request body")
	}
	access, ok := c["access"].(string)
	if !ok || access == "" {
		return nil, "", validation("access", "credentials")
	}
	return c, access, nil
}

// text is a credentials member as Python's str() gives it to the signer;
// a missing member is empty, and a list or object its JSON.
func text(v any) string {
	switch v.(type) {
	case nil:
		return ""
	case []any, map[string]any:
		b, _ := json.Marshal(v)
		return string(b)
	}
	return pyfmt.Str(v)
}

func textMap(v any) map[string]string {
	m, _ := v.(map[string]any)
	out := make(map[string]string, len(m))
	for k, x := range m {
		out[k] = text(x)
	}
	return out
}

// secretOf finds the ec2 credential of an access key; an unknown key is
// the usual 401, as is a credential without a secret.
func (e *EC2) secretOf(r *http.Request, access string) (*credential.EC2, error) {
	c, err := e.creds.EC2ByAccess(r.Context(), access)
	if err != nil {
		if apierr.IsNotFound(err) {
			return nil, unauthorized(fmt.Errorf("EC2 access key not found: %w", err))
		}
		return nil, err
	}
	if c.Secret == "" {
		return nil, unauthorized(fmt.Errorf("ec2 credential %s has no secret", c.ID))
	}
	return c, nil
}

// token issues and renders the token of a checked credential.
func (e *EC2) token(r *http.Request, c *credential.EC2) (map[string]any, string, error) {
	t, id, err := e.h.svc.IssueEC2(r.Context(), c.UserID, c.ProjectID, c.TrustID)
	if err != nil {
		return nil, "", err
	}
	doc, err := e.h.renderToken(r.Context(), r, t, true)
	if err != nil {
		return nil, "", err
	}
	return map[string]any{"token": doc}, id, nil
}

// EC2Tokens checks an EC2 request signature (POST /v3/ec2tokens) and
// answers 200 with a token, its id in X-Subject-Token.
func (e *EC2) EC2Tokens(w http.ResponseWriter, r *http.Request) error {
	body, access, err := decodeCredentials(r)
	if err != nil {
		return err
	}
	req := ec2.Request{Access: access, Signature: text(body["signature"]), Host: text(body["host"]), Verb: text(body["verb"]),
		Path: text(body["path"]), Params: textMap(body["params"]), Headers: textMap(body["headers"]), BodyHash: text(body["body_hash"])}
	if err := ec2.CheckTimestamp(req, time.Now(), ec2AuthTTL); err != nil {
		return unauthorized(err)
	}
	c, err := e.secretOf(r, access)
	if err != nil {
		return err
	}
	if err := ec2.Verify(c.Secret, req); err != nil {
		return unauthorized(err)
	}
	doc, id, err := e.token(r, c)
	if err != nil {
		return err
	}
	w.Header().Set("X-Subject-Token", id)
	return httpapi.WriteJSON(w, http.StatusOK, doc)
}

// S3Tokens checks an S3 request signature (POST /v3/s3tokens): "token"
// is the base64 of the string the client signed. The answer is 200 with
// the token body only, as Keystone's (Swift's s3token middleware reads
// the project and roles from it).
func (e *EC2) S3Tokens(w http.ResponseWriter, r *http.Request) error {
	body, access, err := decodeCredentials(r)
	if err != nil {
		return err
	}
	tok, ok := body["token"].(string)
	if !ok || tok == "" {
		return validation("token", "credentials")
	}
	sts, err := ec2.DecodeStringToSign(tok)
	if err != nil {
		return apierr.BadRequest("Invalid input for field 'credentials/token': the string to sign must be base64.")
	}
	c, err := e.secretOf(r, access)
	if err != nil {
		return err
	}
	if err := ec2.VerifyS3(c.Secret, sts, text(body["signature"])); err != nil {
		return unauthorized(err)
	}
	doc, _, err := e.token(r, c)
	if err != nil {
		return err
	}
	return httpapi.WriteJSON(w, http.StatusOK, doc)
}
