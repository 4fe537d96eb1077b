package crypt

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// TOTP as deployed by authenticator apps: RFC 6238 over RFC 4226 HOTP with
// HMAC-SHA1, 6 digits and a 30-second step. These are the only settings
// every common app honours, which is why they are not configurable.
const (
	totpDigits = 6
	totpPeriod = 30 // seconds
	totpSkew   = 1  // steps accepted either side of now, for clock drift
)

var totpEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewTOTPSecret returns a new 160-bit secret (the RFC 4226 recommended size)
// as unpadded upper-case base32, the form authenticator apps expect.
func NewTOTPSecret() (string, error) {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return totpEncoding.EncodeToString(b), nil
}

// decodeTOTPSecret accepts the secret as a user might have copied it: any
// case, with spaces or trailing padding.
func decodeTOTPSecret(secret string) ([]byte, error) {
	s := strings.ToUpper(strings.Join(strings.Fields(secret), ""))
	s = strings.TrimRight(s, "=")
	key, err := totpEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("crypt: bad TOTP secret: %w", err)
	}
	if len(key) == 0 {
		return nil, errors.New("crypt: empty TOTP secret")
	}
	return key, nil
}

// hotp computes the RFC 4226 value for counter, as a zero-padded decimal.
func hotp(key []byte, counter uint64) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	mac := hmac.New(sha1.New, key)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	bin := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%0*d", totpDigits, bin%1_000_000)
}

// TOTPCode returns the code for the step containing t. Times before the Unix
// epoch have no step and are an error.
func TOTPCode(secret string, t time.Time) (string, error) {
	key, err := decodeTOTPSecret(secret)
	if err != nil {
		return "", err
	}
	unix := t.Unix()
	if unix < 0 {
		return "", errors.New("crypt: TOTP time before the Unix epoch")
	}
	return hotp(key, uint64(unix/totpPeriod)), nil
}

// TOTPValidate reports whether code is valid at now for a step later than
// lastUsedStep, and returns that step. Callers must store the returned step
// and pass it back as lastUsedStep next time: that is what makes each code
// single-use within its validity window. Pass -1 when no code has been used.
//
// Codes from the current step and one step either side are accepted, to
// absorb clock drift and typing time. Spaces in code are ignored because
// apps display codes as "123 456".
func TOTPValidate(secret, code string, now time.Time, lastUsedStep int64) (step int64, ok bool) {
	code = strings.Join(strings.Fields(code), "")
	if len(code) != totpDigits || strings.TrimLeft(code, "0123456789") != "" {
		return 0, false
	}
	key, err := decodeTOTPSecret(secret)
	if err != nil {
		return 0, false
	}
	cur := now.Unix()
	if cur < 0 {
		return 0, false
	}
	cur /= totpPeriod
	// Every candidate is computed and compared, and the latest match wins,
	// so timing does not reveal which step matched and a code valid for two
	// steps still cannot be used twice.
	for s := cur - totpSkew; s <= cur+totpSkew; s++ {
		if s < 0 {
			continue
		}
		match := subtle.ConstantTimeCompare([]byte(hotp(key, uint64(s))), []byte(code)) == 1
		if match && s > lastUsedStep {
			step, ok = s, true
		}
	}
	return step, ok
}

// TOTPURL returns the otpauth:// URI that authenticator apps import from a QR
// code, in the Google Authenticator key URI format. The issuer appears both
// in the label and as a parameter because apps differ in which one they read.
// An empty issuer is omitted.
func TOTPURL(issuer, account, secret string) string {
	label := escapeTOTPLabel(account)
	if issuer != "" {
		label = escapeTOTPLabel(issuer) + ":" + label
	}
	q := "secret=" + escapeTOTPQuery(secret)
	if issuer != "" {
		q += "&issuer=" + escapeTOTPQuery(issuer)
	}
	q += fmt.Sprintf("&algorithm=SHA1&digits=%d&period=%d", totpDigits, totpPeriod)
	return "otpauth://totp/" + label + "?" + q
}

// labelEscaper covers what url.PathEscape leaves alone but a label cannot
// carry literally: ':' separates issuer from account, and some apps decode
// '+' in the label as a space.
var labelEscaper = strings.NewReplacer(":", "%3A", "+", "%2B")

// escapeTOTPLabel escapes the issuer or account part of a label.
func escapeTOTPLabel(s string) string {
	return labelEscaper.Replace(url.PathEscape(s))
}

// escapeTOTPQuery escapes a query value with %20 for spaces: several
// authenticator apps show a '+' literally instead of decoding it.
func escapeTOTPQuery(s string) string {
	// QueryEscape turns a literal '+' into %2B, so every '+' left is a space.
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}
