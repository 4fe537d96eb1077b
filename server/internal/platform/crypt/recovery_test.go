package crypt

import (
	"regexp"
	"testing"
)

func TestNewRecoveryCodes(t *testing.T) {
	codes, err := NewRecoveryCodes(10)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(codes), 10; got != want {
		t.Fatalf("len = %d, want %d", got, want)
	}
	re := regexp.MustCompile(`^[a-hjkmnp-z2-9]{5}-[a-hjkmnp-z2-9]{5}$`)
	seen := make(map[string]bool)
	for _, c := range codes {
		if !re.MatchString(c) {
			t.Errorf("code %q does not match %s", c, re)
		}
		n := NormalizeRecoveryCode(c)
		if got, want := len(n), 10; got != want {
			t.Errorf("len(Normalize(%q)) = %d, want %d", c, got, want)
		}
		if seen[n] {
			t.Errorf("duplicate code %q", c)
		}
		seen[n] = true
	}
	for _, n := range []int{0, -1, 101} {
		if _, err := NewRecoveryCodes(n); err == nil {
			t.Errorf("NewRecoveryCodes(%d): got nil error", n)
		}
	}
}

func TestNormalizeRecoveryCode(t *testing.T) {
	tests := []struct{ in, want string }{
		{"k7mzq-3hwxa", "k7mzq3hwxa"},
		{"K7MZQ-3HWXA", "k7mzq3hwxa"},
		{" k7mzq 3hwxa\n", "k7mzq3hwxa"},
		{"k7-mz-q3-hw-xa", "k7mzq3hwxa"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := NormalizeRecoveryCode(tt.in); got != tt.want {
			t.Errorf("NormalizeRecoveryCode(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if SHA256Hex(NormalizeRecoveryCode("K7MZQ 3HWXA")) != SHA256Hex(NormalizeRecoveryCode("k7mzq-3hwxa")) {
		t.Error("typed variants of one code hash differently")
	}
}
