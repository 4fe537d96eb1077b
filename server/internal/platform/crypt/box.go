package crypt

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrDecrypt is returned by Box.Open for any value that does not decrypt:
// garbage, an unknown key version, tampering or the wrong associated data.
// The causes are deliberately not distinguished beyond the wrapped message,
// which is for logs only.
var ErrDecrypt = errors.New("crypt: cannot decrypt")

const (
	boxKeySize   = 32 // AES-256
	boxNonceSize = 12 // the GCM standard nonce
	boxTagSize   = 16
)

// Box encrypts small values (TOTP secrets, third-party credentials) for
// storage, with AES-256-GCM under a versioned key. Each sealed value names the
// version of the key that sealed it, so keys can be rotated by adding a new
// current version while older values keep opening until re-sealed.
//
// Nonces are random, so a single key version should seal well under 2^32
// values; rotate long before that.
type Box struct {
	aeads   map[int]cipher.AEAD
	current int
}

// NewBox returns a Box that opens values sealed under any of keys and seals
// new ones under keys[current]. Versions must be non-negative and each key 32
// bytes.
func NewBox(keys map[int][]byte, current int) (*Box, error) {
	if _, ok := keys[current]; !ok {
		return nil, fmt.Errorf("crypt: current key version %d not among keys", current)
	}
	aeads := make(map[int]cipher.AEAD, len(keys))
	for v, k := range keys {
		if v < 0 {
			return nil, fmt.Errorf("crypt: negative key version %d", v)
		}
		if len(k) != boxKeySize {
			return nil, fmt.Errorf("crypt: key version %d is %d bytes, want %d", v, len(k), boxKeySize)
		}
		block, err := aes.NewCipher(k)
		if err != nil {
			return nil, err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		aeads[v] = aead
	}
	return &Box{aeads: aeads, current: current}, nil
}

// Seal encrypts plaintext and returns "v<version>:" followed by unpadded
// base64url of nonce|ciphertext. aad is authenticated but not stored; bind it
// to the value's context (for example table, column and row id) so a sealed
// value copied to another row or column fails to open.
func (b *Box) Seal(plaintext, aad []byte) (string, error) {
	aead, ok := b.aeads[b.current]
	if !ok {
		return "", errors.New("crypt: Box not created by NewBox")
	}
	nonce := make([]byte, boxNonceSize, boxNonceSize+len(plaintext)+boxTagSize)
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	out := aead.Seal(nonce, nonce, plaintext, aad)
	return "v" + strconv.Itoa(b.current) + ":" + base64.RawURLEncoding.EncodeToString(out), nil
}

// Open decrypts a value produced by Seal with the same aad, using the key
// version named in its prefix.
func (b *Box) Open(s string, aad []byte) ([]byte, error) {
	ver, body, ok := strings.Cut(s, ":")
	if !ok {
		return nil, fmt.Errorf("%w: missing version prefix", ErrDecrypt)
	}
	v, err := parseVersion(ver)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrDecrypt, err)
	}
	aead, ok := b.aeads[v]
	if !ok {
		return nil, fmt.Errorf("%w: unknown key version %d", ErrDecrypt, v)
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(body)
	if err != nil {
		return nil, fmt.Errorf("%w: bad encoding", ErrDecrypt)
	}
	if len(raw) < boxNonceSize+boxTagSize {
		return nil, fmt.Errorf("%w: too short", ErrDecrypt)
	}
	pt, err := aead.Open(nil, raw[:boxNonceSize], raw[boxNonceSize:], aad)
	if err != nil {
		return nil, fmt.Errorf("%w: authentication failed", ErrDecrypt)
	}
	return pt, nil
}

// parseVersion accepts only the canonical "v<digits>" that Seal writes, so
// every sealed value has a single textual form.
func parseVersion(s string) (int, error) {
	d, ok := strings.CutPrefix(s, "v")
	if !ok || d == "" || (len(d) > 1 && d[0] == '0') || strings.TrimLeft(d, "0123456789") != "" {
		return 0, fmt.Errorf("bad version prefix %q", s)
	}
	return strconv.Atoi(d)
}
