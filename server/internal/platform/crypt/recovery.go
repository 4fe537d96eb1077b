package crypt

import (
	"errors"
	"strings"
	"unicode"
)

// Recovery codes are 10 characters from a 31-character alphabet without the
// easily confused 0/o, 1/l/i (about 49.5 bits each), shown as two groups of
// five such as "k7mzq-3hwxa" so they are easy to read out and copy by hand.
// Only the normalised form matters for storage, so the grouping can change
// without invalidating issued codes.
const (
	recoveryAlphabet = "abcdefghjkmnpqrstuvwxyz23456789"
	recoveryLen      = 10
	recoveryGroup    = 5
	maxRecoveryCodes = 100
)

// NewRecoveryCodes returns n distinct recovery codes, 1 <= n <= 100.
// Callers store SHA256Hex(NormalizeRecoveryCode(code)) for each and show the
// codes to the user once.
func NewRecoveryCodes(n int) ([]string, error) {
	if n < 1 || n > maxRecoveryCodes {
		return nil, errors.New("crypt: recovery code count must be between 1 and 100")
	}
	codes := make([]string, 0, n)
	seen := make(map[string]bool, n)
	for len(codes) < n {
		c, err := randomString(recoveryAlphabet, recoveryLen)
		if err != nil {
			return nil, err
		}
		// A duplicate is vanishingly unlikely but would silently leave the
		// user with one code fewer than promised.
		if seen[c] {
			continue
		}
		seen[c] = true
		codes = append(codes, c[:recoveryGroup]+"-"+c[recoveryGroup:])
	}
	return codes, nil
}

// NormalizeRecoveryCode maps a code as typed by a user to its canonical form:
// lower case, without dashes or whitespace.
func NormalizeRecoveryCode(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || unicode.IsSpace(r) {
			return -1
		}
		return unicode.ToLower(r)
	}, s)
}
