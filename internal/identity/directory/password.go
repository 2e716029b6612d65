package directory

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"regexp"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

// MaxPasswordLength is Keystone's default max_password_length.
const MaxPasswordLength = 4096

// bcryptInput maps a password to what bcrypt hashes. bcrypt only reads 72
// bytes (Go's refuses longer input); passlib, which Keystone uses,
// silently truncates, so two long passwords sharing a prefix would match.
// gostack instead pre-hashes passwords over 72 bytes with SHA-256, so
// every byte counts; shorter ones are hashed as they are, which keeps
// hashes made by other tools (bootstrap) valid.
func bcryptInput(pw string) []byte {
	if len(pw) <= 72 {
		return []byte(pw)
	}
	sum := sha256.Sum256([]byte(pw))
	return []byte("sha256$" + base64.StdEncoding.EncodeToString(sum[:]))
}

func passwordMatches(hash, pw string) bool {
	return hash != "" && bcrypt.CompareHashAndPassword([]byte(hash), bcryptInput(pw)) == nil
}

// hashPassword validates a new password against the configured rules
// and returns its bcrypt hash.
func (s *Service) hashPassword(pw string) (string, error) {
	if len(pw) > MaxPasswordLength {
		return "", apierr.BadRequest("Invalid input for field 'password': the password is longer than %d characters.", MaxPasswordLength)
	}
	if re := s.cfg.Security.PasswordRegex; re != "" {
		ok, err := regexp.MatchString(re, pw)
		if err == nil && !ok {
			desc := s.cfg.Security.PasswordRegexDescription
			if desc == "" {
				desc = "The password does not meet the requirements."
			}
			return "", apierr.BadRequest("Password validation error: %s", desc)
		}
	}
	h, err := bcrypt.GenerateFromPassword(bcryptInput(pw), s.cfg.BcryptCost)
	if err != nil {
		return "", err
	}
	return string(h), nil
}

func optBool(opts map[string]any, k string) bool {
	v, _ := opts[k].(bool)
	return v
}

// passwordExpiry is when a password set now expires (nil: never).
func (s *Service) passwordExpiry(u *User, now time.Time) *time.Time {
	if s.cfg.Security.PasswordExpiresDays <= 0 || optBool(u.Options, "ignore_password_expiry") {
		return nil
	}
	t := now.Add(time.Duration(s.cfg.Security.PasswordExpiresDays) * 24 * time.Hour)
	return &t
}

// authFailed is the generic 401, which does not say what was wrong.
func authFailed() error {
	return apierr.Unauthorized("The request you have made requires authentication.")
}

// CheckPassword verifies password for u, enforcing lockout, password
// expiry and inactivity rules, and records the outcome (failed-attempt
// counter, last activity). Wrong passwords answer the generic 401; a
// locked account or an expired password say so, as Keystone does.
func (s *Service) CheckPassword(ctx context.Context, u *User, password string) error {
	now := db.Now()
	sec := s.cfg.Security
	lockout := sec.LockoutFailureAttempts > 0 && !optBool(u.Options, "ignore_lockout_failure_attempts")
	failed := u.FailedAuthCount
	if lockout && failed >= sec.LockoutFailureAttempts && u.FailedAuthAt != nil {
		if sec.LockoutDuration <= 0 || now.Before(u.FailedAuthAt.Add(sec.LockoutDuration)) {
			return apierr.Unauthorized("The account is locked for user: %s.", u.ID)
		}
		failed = 0 // the lockout has passed
	}
	if !passwordMatches(u.PasswordHash, password) {
		if lockout {
			failed++
			s.store.SetUserAuthState(ctx, u.ID, failed, &now, nil)
		}
		return authFailed()
	}
	if !u.Enabled {
		return authFailed()
	}
	if u.PasswordExpiresAt != nil && !now.Before(*u.PasswordExpiresAt) {
		return apierr.Unauthorized("The password is expired and needs to be changed for user: %s.", u.ID)
	}
	if d := sec.DisableUserAccountDaysInactive; d > 0 && u.LastActiveAt != nil &&
		now.Sub(*u.LastActiveAt) > time.Duration(d)*24*time.Hour {
		return authFailed()
	}
	return s.store.SetUserAuthState(ctx, u.ID, 0, nil, &now)
}

// ChangePassword is a user's self-service password change: the original
// password must be right (401 otherwise), and the new one must respect
// the minimum password age and the password history (400).
func (s *Service) ChangePassword(ctx context.Context, userID, original, password string) error {
	u, err := s.store.GetUser(ctx, userID)
	if err != nil {
		return err
	}
	// Expired passwords may still be changed: check the hash directly
	// but count failures like an authentication.
	exp := u.PasswordExpiresAt
	u.PasswordExpiresAt = nil
	if err := s.CheckPassword(ctx, u, original); err != nil {
		return err
	}
	u.PasswordExpiresAt = exp
	now := db.Now()
	sec := s.cfg.Security
	if days := sec.MinimumPasswordAgeDays; days > 0 && u.PasswordCreatedAt != nil &&
		!optBool(u.Options, "ignore_password_expiry") &&
		now.Before(u.PasswordCreatedAt.Add(time.Duration(days)*24*time.Hour)) {
		return apierr.BadRequest("You cannot change your password at this time due to the minimum password age. Once you change your password, it must be used for %d day(s) before it can be changed.", days)
	}
	if optBool(u.Options, "lock_password") {
		return apierr.Forbidden("You are not allowed to change your password.")
	}
	if n := sec.UniqueLastPasswordCount; n > 0 {
		if passwordMatches(u.PasswordHash, password) {
			return apierr.BadRequest("The new password cannot be identical to a previous password. The total number which includes the new password must be unique is %d.", n)
		}
		old, err := s.store.PasswordHistory(ctx, userID, n-1)
		if err != nil {
			return err
		}
		for _, h := range old {
			if passwordMatches(h, password) {
				return apierr.BadRequest("The new password cannot be identical to a previous password. The total number which includes the new password must be unique is %d.", n)
			}
		}
	}
	return s.setPassword(ctx, u, password, false)
}

// setPassword stores a new password for u and revokes the user's tokens.
// An admin reset (adminReset) expires it at once when the user must
// change it on first use.
func (s *Service) setPassword(ctx context.Context, u *User, password string, adminReset bool) error {
	hash, err := s.hashPassword(password)
	if err != nil {
		return err
	}
	now := db.Now()
	old := u.PasswordHash
	u.PasswordHash = hash
	u.PasswordCreatedAt = &now
	u.PasswordExpiresAt = s.passwordExpiry(u, now)
	if adminReset && s.changeRequired(u) {
		u.PasswordExpiresAt = &now
	}
	u.FailedAuthCount, u.FailedAuthAt = 0, nil
	return s.changed(s.store.UpdateUser(ctx, u, old, &RevokeEvent{UserID: u.ID}))
}

func (s *Service) changeRequired(u *User) bool {
	return s.cfg.Security.ChangePasswordUponFirstUse && !optBool(u.Options, "ignore_change_password_upon_first_use")
}
