package crypt

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

func testKey(b byte) []byte { return bytes.Repeat([]byte{b}, 32) }

func TestBoxRoundTrip(t *testing.T) {
	box, err := NewBox(map[int][]byte{1: testKey(1)}, 1)
	if err != nil {
		t.Fatal(err)
	}
	aad := []byte("users.totp_secret:42")
	for _, pt := range [][]byte{nil, {}, []byte("JBSWY3DPEHPK3PXP"), bytes.Repeat([]byte("x"), 4096)} {
		s, err := box.Seal(pt, aad)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(s, "v1:") {
			t.Errorf("Seal = %q, want v1: prefix", s)
		}
		got, err := box.Open(s, aad)
		if err != nil {
			t.Fatalf("Open(%q): %v", s, err)
		}
		if !bytes.Equal(got, pt) {
			t.Errorf("Open = %q, want %q", got, pt)
		}
	}
	a, _ := box.Seal([]byte("same"), aad)
	b, _ := box.Seal([]byte("same"), aad)
	if a == b {
		t.Error("two seals of the same plaintext are equal; nonce not random")
	}
}

func TestBoxRotation(t *testing.T) {
	aad := []byte("ctx")
	v1, err := NewBox(map[int][]byte{1: testKey(1)}, 1)
	if err != nil {
		t.Fatal(err)
	}
	old, err := v1.Seal([]byte("old secret"), aad)
	if err != nil {
		t.Fatal(err)
	}
	v2, err := NewBox(map[int][]byte{1: testKey(1), 2: testKey(2)}, 2)
	if err != nil {
		t.Fatal(err)
	}
	got, err := v2.Open(old, aad)
	if err != nil {
		t.Fatalf("rotated box cannot open old value: %v", err)
	}
	if got, want := string(got), "old secret"; got != want {
		t.Errorf("Open = %q, want %q", got, want)
	}
	fresh, err := v2.Seal([]byte("new secret"), aad)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(fresh, "v2:") {
		t.Errorf("Seal after rotation = %q, want v2: prefix", fresh)
	}
	if _, err := v1.Open(fresh, aad); !errors.Is(err, ErrDecrypt) {
		t.Errorf("old box opening value with unknown version: err = %v, want ErrDecrypt", err)
	}
	// Relabelling a value with another version must not let it open.
	relabelled := "v1:" + strings.TrimPrefix(fresh, "v2:")
	if _, err := v2.Open(relabelled, aad); !errors.Is(err, ErrDecrypt) {
		t.Errorf("relabelled value: err = %v, want ErrDecrypt", err)
	}
}

func TestBoxOpenRejects(t *testing.T) {
	box, err := NewBox(map[int][]byte{0: testKey(0), 7: testKey(7)}, 7)
	if err != nil {
		t.Fatal(err)
	}
	aad := []byte("ctx")
	good, err := box.Seal([]byte("secret"), aad)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(good, "v7:"))
	if err != nil {
		t.Fatal(err)
	}
	flip := func(i int) string {
		b := bytes.Clone(raw)
		b[i] ^= 1
		return "v7:" + base64.RawURLEncoding.EncodeToString(b)
	}
	tests := []struct {
		name string
		s    string
		aad  []byte
	}{
		{"wrong aad", good, []byte("other")},
		{"missing aad", good, nil},
		{"tampered nonce", flip(0), aad},
		{"tampered ciphertext", flip(boxNonceSize), aad},
		{"tampered tag", flip(len(raw) - 1), aad},
		{"truncated", good[:len(good)-4], aad},
		{"unknown version", "v3:" + strings.TrimPrefix(good, "v7:"), aad},
		{"leading zero version", "v07:" + strings.TrimPrefix(good, "v7:"), aad},
		{"signed version", "v+7:" + strings.TrimPrefix(good, "v7:"), aad},
		{"negative version", "v-7:" + strings.TrimPrefix(good, "v7:"), aad},
		{"overflowing version", "v99999999999999999999999:" + strings.TrimPrefix(good, "v7:"), aad},
		{"no version", strings.TrimPrefix(good, "v7:"), aad},
		{"empty version", ":" + strings.TrimPrefix(good, "v7:"), aad},
		{"empty", "", aad},
		{"prefix only", "v7:", aad},
		{"too short", "v7:AAAA", aad},
		{"padded", good + "==", aad},
		{"std base64", "v7:+/+/" + strings.TrimPrefix(good, "v7:"), aad},
		{"garbage", "not a sealed value", aad},
		{"binary garbage", "v7:\x00\xff\xfe", aad},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pt, err := box.Open(tt.s, tt.aad)
			if !errors.Is(err, ErrDecrypt) {
				t.Errorf("Open(%q) err = %v, want ErrDecrypt", tt.s, err)
			}
			if pt != nil {
				t.Errorf("Open(%q) returned plaintext %q alongside an error", tt.s, pt)
			}
		})
	}
}

func TestNewBoxRejects(t *testing.T) {
	tests := []struct {
		name    string
		keys    map[int][]byte
		current int
	}{
		{"no keys", nil, 1},
		{"current missing", map[int][]byte{1: testKey(1)}, 2},
		{"short key", map[int][]byte{1: testKey(1)[:16]}, 1},
		{"short old key", map[int][]byte{1: testKey(1)[:31], 2: testKey(2)}, 2},
		{"negative version", map[int][]byte{-1: testKey(1)}, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewBox(tt.keys, tt.current); err == nil {
				t.Error("NewBox: got nil error")
			}
		})
	}
	var zero Box
	if _, err := zero.Seal([]byte("x"), nil); err == nil {
		t.Error("zero Box Seal: got nil error")
	}
	if _, err := zero.Open("v0:AAAA", nil); !errors.Is(err, ErrDecrypt) {
		t.Errorf("zero Box Open: err = %v, want ErrDecrypt", err)
	}
}

func FuzzOpen(f *testing.F) {
	box, err := NewBox(map[int][]byte{1: testKey(1), 2: testKey(2)}, 2)
	if err != nil {
		f.Fatal(err)
	}
	good, err := box.Seal([]byte("secret"), []byte("aad"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good, []byte("aad"))
	f.Add("v1:", []byte(nil))
	f.Add("v2:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", []byte("aad"))
	f.Add(":", []byte{})
	f.Add("v:x", []byte{0})
	f.Fuzz(func(t *testing.T, s string, aad []byte) {
		pt, err := box.Open(s, aad)
		if err != nil {
			if !errors.Is(err, ErrDecrypt) {
				t.Fatalf("Open(%q) err = %v, want ErrDecrypt", s, err)
			}
			return
		}
		// Nothing but "secret" under "aad" is ever sealed with these keys
		// (fuzz workers each seal their own copy), so nothing else may open.
		if string(pt) != "secret" || string(aad) != "aad" {
			t.Fatalf("Open(%q, %q) succeeded with %q", s, aad, pt)
		}
	})
}
