package identity

import (
	"context"

	"golang.org/x/crypto/bcrypt"
)

// CheckPassword verifies password for u. It returns an *UnauthorizedError
// that does not say why (wrong password, locked out, expired...), so that
// callers answer every failure alike.
func (s *Service) CheckPassword(ctx context.Context, u *User, password string) error {
	if u.PasswordHash == "" || bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(password)) != nil {
		return &UnauthorizedError{Msg: "The request you have made requires authentication."}
	}
	return nil
}
