package helpcenter

import (
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
)

func TestLang(t *testing.T) {
	for _, tc := range []struct {
		query, accept, tenant string
		want                  string
		explicit              bool
	}{
		{"en", "zh-CN", "zh-CN", "en", true},
		{"zh", "en", "en", "zh-CN", true},
		{"fr", "en-GB,en;q=0.8", "zh-CN", "en", false},
		{"", "fr-FR, zh-TW;q=0.5", "en", "zh-CN", false},
		{"", "fr-FR, en;q=0", "zh-CN", "zh-CN", false},
		{"", "", "en", "en", false},
		{"", "", "xx", "zh-CN", false},
	} {
		got, explicit := Lang(tc.query, tc.accept, tc.tenant)
		if got != tc.want || explicit != tc.explicit {
			t.Errorf("Lang(%q, %q, %q) = %q %v, want %q %v", tc.query, tc.accept, tc.tenant, got, explicit, tc.want, tc.explicit)
		}
	}
}

// The policy allows the stylesheet by its hash and nothing that runs.
func TestCSP(t *testing.T) {
	sum := sha256.Sum256([]byte(style))
	if !strings.Contains(CSP, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'") {
		t.Fatalf("CSP %q does not allow the stylesheet", CSP)
	}
	for _, bad := range []string{"script-src", "unsafe-inline", "unsafe-eval", "*"} {
		if strings.Contains(CSP, bad) {
			t.Errorf("CSP has %q", bad)
		}
	}
}
