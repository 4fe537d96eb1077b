// Package crypt holds small cryptographic helpers shared by identity, API keys
// and field encryption. It depends only on the standard library.
package crypt

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
)

// DeriveKey derives an n-byte key from master with HKDF-SHA256, using purpose
// as the HKDF info. Distinct purposes yield independent keys, so one server
// secret can seed JWT signing, TOTP-secret encryption and so on without a
// compromise of one key revealing another. Purposes should be fixed,
// versioned strings such as "kefu/jwt-ed25519/v1".
//
// n must be in 1..8160 (255 SHA-256 outputs); otherwise DeriveKey returns nil.
// Callers pass constant sizes, so this never happens outside a programming
// error, and a nil key fails loudly in every constructor that receives it.
func DeriveKey(master []byte, purpose string, n int) []byte {
	if n < 1 {
		return nil
	}
	// No salt: master is already a uniformly random secret, which is the
	// case where RFC 5869 says a salt adds nothing.
	key, err := hkdf.Key(sha256.New, master, nil, purpose, n)
	if err != nil {
		return nil
	}
	return key
}

// RandomToken returns prefix followed by nBytes of randomness encoded as
// unpadded base64url, which is safe in URLs, headers and cookies unescaped.
func RandomToken(prefix string, nBytes int) (string, error) {
	if nBytes < 1 {
		return "", errors.New("crypt: RandomToken needs at least one byte")
	}
	b := make([]byte, nBytes)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// SHA256Hex returns the lower-case hex SHA-256 of s. It suits high-entropy
// secrets (tokens, API keys, recovery codes) whose hash is stored for lookup;
// user-chosen passwords need the password package instead.
func SHA256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
