package crypt

import (
	"errors"
	"strings"
	"testing"
)

func TestAPIKeyRoundTrip(t *testing.T) {
	seen := make(map[string]bool)
	for range 50 {
		key, prefix, hash, err := NewAPIKey()
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(key), 47; got != want {
			t.Fatalf("len(%q) = %d, want %d", key, got, want)
		}
		if !strings.HasPrefix(key, "kefu_") || !LooksLikeAPIKey(key) {
			t.Errorf("key %q lacks kefu_ prefix", key)
		}
		if got, want := prefix, key[:12]; got != want {
			t.Errorf("prefix = %q, want %q", got, want)
		}
		if got, want := hash, SHA256Hex(key); got != want {
			t.Errorf("hash = %q, want %q", got, want)
		}
		p, h, err := ParseAPIKey(key)
		if err != nil {
			t.Fatalf("ParseAPIKey(%q): %v", key, err)
		}
		if p != prefix || h != hash {
			t.Errorf("ParseAPIKey(%q) = %q, %q, want %q, %q", key, p, h, prefix, hash)
		}
		if seen[key] {
			t.Fatalf("duplicate key %q", key)
		}
		seen[key] = true
	}
}

func TestAPIKeyChecksum(t *testing.T) {
	// Pins the checksum encoding, which is part of every issued key.
	random := strings.Repeat("a", 36)
	// CRC32-IEEE of 36 'a's is 0xc4767cc2, i.e. "3b463W" in base62
	// (computed independently), so a change of algorithm or alphabet
	// shows up here.
	if got, want := apiKeyChecksum(random), "3b463W"; got != want {
		t.Errorf("apiKeyChecksum = %q, want %q", got, want)
	}
	if got, want := apiKeyChecksum(""), "000000"; got != want {
		t.Errorf("apiKeyChecksum(\"\") = %q, want %q", got, want)
	}
}

func TestParseAPIKeyRejects(t *testing.T) {
	key, _, _, err := NewAPIKey()
	if err != nil {
		t.Fatal(err)
	}
	replace := func(i int, c byte) string {
		b := []byte(key)
		b[i] = c
		return string(b)
	}
	// Swap a character of the random part for a different base62 one.
	flipped := replace(20, 'A')
	if flipped == key {
		flipped = replace(20, 'B')
	}
	flippedSum := replace(46, 'A')
	if flippedSum == key {
		flippedSum = replace(46, 'B')
	}
	tests := []struct {
		name, s string
	}{
		{"empty", ""},
		{"prefix only", "kefu_"},
		{"flipped random char", flipped},
		{"flipped checksum char", flippedSum},
		{"too short", key[:46]},
		{"too long", key + "0"},
		{"wrong prefix", "kefx_" + key[5:]},
		{"upper prefix", "KEFU_" + key[5:]},
		{"other vendor", "ghp_" + key[4:]},
		{"dash", replace(10, '-')},
		{"underscore", replace(10, '_')},
		{"space", replace(10, ' ')},
		{"non-ASCII", key[:45] + "é"},
		{"surrounding space", " " + key[:46]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, h, err := ParseAPIKey(tt.s)
			if !errors.Is(err, ErrMalformedAPIKey) {
				t.Errorf("ParseAPIKey(%q) err = %v, want ErrMalformedAPIKey", tt.s, err)
			}
			if p != "" || h != "" {
				t.Errorf("ParseAPIKey(%q) = %q, %q alongside an error", tt.s, p, h)
			}
		})
	}
}

func TestLooksLikeAPIKey(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"kefu_anything", true},
		{"kefu_", true},
		{"eyJhbGciOiJIUzI1NiJ9.e30.x", false},
		{"", false},
		{"Kefu_x", false},
	}
	for _, tt := range tests {
		if got, want := LooksLikeAPIKey(tt.s), tt.want; got != want {
			t.Errorf("LooksLikeAPIKey(%q) = %v, want %v", tt.s, got, want)
		}
	}
}

func FuzzParseAPIKey(f *testing.F) {
	key, _, _, err := NewAPIKey()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(key)
	f.Add("")
	f.Add("kefu_")
	f.Add("kefu_" + strings.Repeat("0", 42))
	f.Add("kefu_" + strings.Repeat("\xff", 42))
	f.Fuzz(func(t *testing.T, s string) {
		prefix, hash, err := ParseAPIKey(s)
		if err != nil {
			if !errors.Is(err, ErrMalformedAPIKey) {
				t.Fatalf("ParseAPIKey(%q) err = %v, want ErrMalformedAPIKey", s, err)
			}
			return
		}
		if len(s) != 47 || !LooksLikeAPIKey(s) || prefix != s[:12] || hash != SHA256Hex(s) {
			t.Fatalf("ParseAPIKey(%q) accepted a bad key: %q, %q", s, prefix, hash)
		}
	})
}
