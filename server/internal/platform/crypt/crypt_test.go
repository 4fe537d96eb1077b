package crypt

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
)

func TestDeriveKey(t *testing.T) {
	master := []byte("0123456789abcdef0123456789abcdef")
	a := DeriveKey(master, "kefu/jwt/v1", 32)
	b := DeriveKey(master, "kefu/totp/v1", 32)
	if got, want := len(a), 32; got != want {
		t.Fatalf("len = %d, want %d", got, want)
	}
	if bytes.Equal(a, b) {
		t.Error("distinct purposes gave the same key")
	}
	if got := DeriveKey(master, "kefu/jwt/v1", 32); !bytes.Equal(got, a) {
		t.Error("DeriveKey is not deterministic")
	}
	if got := DeriveKey([]byte("another master secret, 32 bytes!"), "kefu/jwt/v1", 32); bytes.Equal(got, a) {
		t.Error("distinct masters gave the same key")
	}
	// HKDF output of a shorter length is a prefix of a longer one; callers
	// must not rely on different n for independence, only on purpose.
	if got := DeriveKey(master, "kefu/jwt/v1", 16); !bytes.Equal(got, a[:16]) {
		t.Errorf("16-byte key %x is not the prefix of the 32-byte key %x", got, a)
	}
	for _, n := range []int{0, -1, 255*32 + 1} {
		if got := DeriveKey(master, "p", n); got != nil {
			t.Errorf("DeriveKey(n=%d) = %x, want nil", n, got)
		}
	}
}

// RFC 5869 test case A.3 (zero-length salt and info) pins DeriveKey to
// standard HKDF-SHA256, so keys stay reproducible by other implementations.
func TestDeriveKeyRFC5869(t *testing.T) {
	ikm := bytes.Repeat([]byte{0x0b}, 22)
	want := "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"
	if got := hex.EncodeToString(DeriveKey(ikm, "", 42)); got != want {
		t.Errorf("DeriveKey(RFC 5869 A.3) = %s, want %s", got, want)
	}
}

func TestRandomToken(t *testing.T) {
	a, err := RandomToken("sess_", 32)
	if err != nil {
		t.Fatal(err)
	}
	b, err := RandomToken("sess_", 32)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(a, "sess_") {
		t.Errorf("token %q lacks prefix", a)
	}
	if got, want := len(a), len("sess_")+43; got != want {
		t.Errorf("len(%q) = %d, want %d", a, got, want)
	}
	if strings.ContainsAny(a, "+/=") {
		t.Errorf("token %q is not unpadded base64url", a)
	}
	if a == b {
		t.Error("two tokens are equal")
	}
	if _, err := RandomToken("x", 0); err == nil {
		t.Error("RandomToken(0 bytes): got nil error")
	}
}

func TestSHA256Hex(t *testing.T) {
	if got, want := SHA256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"; got != want {
		t.Errorf("SHA256Hex(abc) = %s, want %s", got, want)
	}
}
