package accounts

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Password hashing: argon2id with OWASP's minimum (19 MiB, 2 iterations, 1 lane), stored as a
// PHC string so the parameters can be raised later without breaking existing hashes.
const (
	argonMemoryKiB = 19 * 1024
	argonTime      = 2
	argonThreads   = 1
	argonKeyLen    = 32
	argonSaltLen   = 16
)

func hashPassword(pw string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemoryKiB, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemoryKiB, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// verifyPassword compares in constant time with the parameters stored in the hash.
func verifyPassword(hash, pw string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// commonPasswords holds fragments found at the top of every breach list; a password containing
// one (case-insensitively) is refused however long it is.
var commonPasswords = []string{
	"password", "passw0rd", "123456", "12345678", "qwerty", "azerty", "letmein", "welcome",
	"iloveyou", "admin", "abc123", "111111", "monkey", "dragon", "football", "sunshine",
	"changeme", "secret",
}

// CheckPassword applies the password rules (NIST SP 800-63B style: length over composition):
//   - 12 to 128 characters;
//   - at least 5 different characters;
//   - not containing a well-known breached password or pattern (password, 123456, qwerty …)
//     or the local part of the user's own email.
//
// It returns WEAK_PASSWORD with a message that says which rule failed.
func CheckPassword(field, pw, email string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < 12:
		return ErrWeakPassword.With(field, nil).WithMessage("use at least 12 characters")
	case n > 128:
		return ErrWeakPassword.With(field, nil).WithMessage("use at most 128 characters")
	}
	distinct := map[rune]bool{}
	for _, r := range pw {
		distinct[r] = true
	}
	if len(distinct) < 5 {
		return ErrWeakPassword.With(field, nil).WithMessage("use at least 5 different characters")
	}
	lower := strings.ToLower(pw)
	for _, c := range commonPasswords {
		if strings.Contains(lower, c) {
			return ErrWeakPassword.With(field, nil).WithMessage("avoid common passwords and patterns such as %q", c)
		}
	}
	if local, _, ok := strings.Cut(strings.ToLower(email), "@"); ok && len(local) >= 4 && strings.Contains(lower, local) {
		return ErrWeakPassword.With(field, nil).WithMessage("do not use your email address in your password")
	}
	return nil
}
