package crypt

import (
	"crypto/rand"
	"errors"
	"hash/crc32"
	"strings"
)

// API keys look like "kefu_" + 36 random base62 characters + a 6-character
// base62 CRC32 of the random part. The fixed prefix lets secret scanners and
// LooksLikeAPIKey recognise a key; the checksum lets ParseAPIKey reject typos
// and garbage without touching the database. 36 base62 characters carry
// about 214 bits of entropy.
const (
	APIKeyPrefix = "kefu_"

	apiKeyRandomLen   = 36
	apiKeyChecksumLen = 6 // 62^6 > 2^32, so any CRC32 fits
	apiKeyLen         = len(APIKeyPrefix) + apiKeyRandomLen + apiKeyChecksumLen
	// apiKeyDisplayLen is how much of a key is kept in clear for lists: the
	// prefix plus 7 random characters, enough to tell keys apart but far
	// too little to help guess one.
	apiKeyDisplayLen = 12
)

// ErrMalformedAPIKey is returned by ParseAPIKey for strings that cannot be an
// API key issued by NewAPIKey.
var ErrMalformedAPIKey = errors.New("crypt: malformed API key")

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// NewAPIKey returns a new key to show the user once, the prefix to display in
// key lists, and the hash to store.
func NewAPIKey() (key, prefix, hash string, err error) {
	random, err := randomString(base62, apiKeyRandomLen)
	if err != nil {
		return "", "", "", err
	}
	key = APIKeyPrefix + random + apiKeyChecksum(random)
	return key, key[:apiKeyDisplayLen], SHA256Hex(key), nil
}

// ParseAPIKey checks the shape and checksum of s and returns the display
// prefix and the hash to look the key up by.
func ParseAPIKey(s string) (prefix, hash string, err error) {
	if len(s) != apiKeyLen || !strings.HasPrefix(s, APIKeyPrefix) {
		return "", "", ErrMalformedAPIKey
	}
	body := s[len(APIKeyPrefix):]
	for i := 0; i < len(body); i++ {
		if strings.IndexByte(base62, body[i]) < 0 {
			return "", "", ErrMalformedAPIKey
		}
	}
	random, sum := body[:apiKeyRandomLen], body[apiKeyRandomLen:]
	if apiKeyChecksum(random) != sum {
		return "", "", ErrMalformedAPIKey
	}
	return s[:apiKeyDisplayLen], SHA256Hex(s), nil
}

// LooksLikeAPIKey reports whether s claims to be an API key, so a request
// handler can choose between API-key and session-token authentication before
// validating anything.
func LooksLikeAPIKey(s string) bool {
	return strings.HasPrefix(s, APIKeyPrefix)
}

// apiKeyChecksum returns the CRC32 (IEEE) of random in base62, left-padded
// with '0' to a fixed width.
func apiKeyChecksum(random string) string {
	n := crc32.ChecksumIEEE([]byte(random))
	var out [apiKeyChecksumLen]byte
	for i := len(out) - 1; i >= 0; i-- {
		out[i] = base62[n%62]
		n /= 62
	}
	return string(out[:])
}

// randomString returns n characters drawn uniformly from alphabet, which must
// have fewer than 256 characters.
func randomString(alphabet string, n int) (string, error) {
	// Bytes at or above the largest multiple of len(alphabet) are discarded
	// so that the modulo below does not favour the first characters.
	limit := 256 - 256%len(alphabet)
	out := make([]byte, 0, n)
	buf := make([]byte, n+n/2)
	for len(out) < n {
		if _, err := rand.Read(buf); err != nil {
			return "", err
		}
		for _, b := range buf {
			if int(b) < limit && len(out) < n {
				out = append(out, alphabet[int(b)%len(alphabet)])
			}
		}
	}
	return string(out), nil
}
