package auth

import "context"

// Static is a Validator over a fixed table of tokens: API tests use it to
// stand in for the identity service without issuing real tokens.
type Static map[string]*Credentials

// Validate returns the credentials of a known token.
func (s Static) Validate(_ context.Context, token string) (*Credentials, error) {
	if c, ok := s[token]; ok {
		return c, nil
	}
	return nil, ErrInvalidToken
}
