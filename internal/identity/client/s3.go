package client

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/gostack/gostack/internal/platform/auth"
)

// S3Credential is an S3 request's signature as Swift's s3token
// middleware hands it to identity: the access key, the string the client
// signed and the signature.
type S3Credential struct {
	Access       string
	StringToSign []byte
	Signature    string
}

// S3Token checks an S3 signature with identity (POST /v3/s3tokens) and
// returns whom it identifies. A signature identity refuses gives an
// *Error with its status (see Refused). The client sends its service
// token when it has one, as s3token sends its admin token.
func (c *Client) S3Token(ctx context.Context, cred S3Credential) (*auth.Credentials, error) {
	req, err := c.postJSON(ctx, "/v3/s3tokens", map[string]any{"credentials": map[string]string{
		"access":    cred.Access,
		"token":     base64.URLEncoding.EncodeToString(cred.StringToSign),
		"signature": cred.Signature,
	}})
	if err != nil {
		return nil, err
	}
	if c.CallsAsService() {
		tok, err := c.ServiceToken(ctx)
		if err != nil {
			return nil, err
		}
		req.Header.Set("X-Auth-Token", tok)
	}
	resp, err := c.do(req, "s3tokens")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return nil, readError(resp, "s3tokens")
	}
	creds, err := decodeToken(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("identity: s3tokens: %w", err)
	}
	return creds, nil
}

// EC2Secret reads the secret of userID's EC2 credential access
// (GET /v3/users/{user_id}/credentials/OS-EC2/{access}) with the client's
// service token.
func (c *Client) EC2Secret(ctx context.Context, userID, access string) (string, error) {
	tok, err := c.ServiceToken(ctx)
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet,
		c.base+"/v3/users/"+url.PathEscape(userID)+"/credentials/OS-EC2/"+url.PathEscape(access), nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("X-Auth-Token", tok)
	resp, err := c.do(req, "read ec2 credential")
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", readError(resp, "read ec2 credential")
	}
	var doc struct {
		Credential struct {
			Secret string `json:"secret"`
		} `json:"credential"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&doc); err != nil {
		return "", fmt.Errorf("identity: read ec2 credential: %w", err)
	}
	if doc.Credential.Secret == "" {
		return "", errors.New("identity: read ec2 credential: no secret in the answer")
	}
	return doc.Credential.Secret, nil
}

// Refused says whether err is identity's answer that the caller is not
// who it claims (401), may not (403) or names what does not exist (404),
// rather than a failure to reach or understand identity.
func Refused(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	return e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden || e.Status == http.StatusNotFound
}
