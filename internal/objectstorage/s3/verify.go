package s3

import (
	"context"
	"errors"

	"github.com/gostack/gostack/internal/objectstorage/s3/sig"
	"github.com/gostack/gostack/internal/platform/auth"
)

// Credential is what an S3 request proves: the access key, the
// signature the client sent and the string it signed.
type Credential struct {
	Access       string
	Signature    string
	StringToSign []byte
	// Version is the signature version, 2 or 4; Scope is the version 4
	// credential scope ("20260102/RegionOne/s3/aws4_request").
	Version int
	Scope   string
}

// Check reports whether the signature is the one secret gives: the
// check a Verifier holding the secret makes.
func (c Credential) Check(secret string) bool {
	a := sig.Auth{Version: sig.Version(c.Version), Signature: c.Signature, StringToSign: c.StringToSign, Scope: c.Scope}
	return a.Check(secret)
}

// ErrDenied is a credential the identity service refused: an unknown
// access key or a signature that does not match.
var ErrDenied = errors.New("s3: credential refused")

// Verifier checks a credential and returns who it speaks for. It fails
// with ErrDenied for a refused credential; any other error is an outage.
type Verifier interface {
	Verify(ctx context.Context, c Credential) (*auth.Credentials, error)
}

// SecretSource is a Verifier that can also hand out the secret of an
// access key, which checking the chunk signatures of an aws-chunked
// upload needs. Without it such uploads are refused, as by s3api when
// its auth middleware gives it no secret.
type SecretSource interface {
	Secret(ctx context.Context, creds *auth.Credentials, access string) (string, error)
}
