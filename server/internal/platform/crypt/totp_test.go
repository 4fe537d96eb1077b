package crypt

import (
	"encoding/base32"
	"net/url"
	"strings"
	"testing"
	"time"
)

// rfcSecret is the RFC 6238 Appendix B SHA-1 seed, ASCII "12345678901234567890".
var rfcSecret = base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString([]byte("12345678901234567890"))

func TestTOTPCodeRFC6238(t *testing.T) {
	if got, want := rfcSecret, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"; got != want {
		t.Fatalf("rfcSecret = %q, want %q", got, want)
	}
	// The RFC lists 8-digit codes; a 6-digit code is the same truncated
	// value mod 10^6, i.e. the RFC code's last six digits.
	tests := []struct {
		unix    int64
		rfcCode string
	}{
		{59, "94287082"},
		{1111111109, "07081804"},
		{1111111111, "14050471"},
		{1234567890, "89005924"},
		{2000000000, "69279037"},
		{20000000000, "65353130"},
	}
	for _, tt := range tests {
		got, err := TOTPCode(rfcSecret, time.Unix(tt.unix, 0))
		if err != nil {
			t.Fatal(err)
		}
		if want := tt.rfcCode[2:]; got != want {
			t.Errorf("TOTPCode(T=%d) = %s, want %s", tt.unix, got, want)
		}
	}
}

func TestTOTPSecretForms(t *testing.T) {
	at := time.Unix(59, 0)
	for _, s := range []string{
		strings.ToLower(rfcSecret),
		"GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ",
		"GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ====",
	} {
		got, err := TOTPCode(s, at)
		if err != nil {
			t.Fatalf("TOTPCode(%q): %v", s, err)
		}
		if want := "287082"; got != want {
			t.Errorf("TOTPCode(%q) = %s, want %s", s, got, want)
		}
	}
	for _, s := range []string{"", "   ", "not base32!", "GEZDGNBV1"} {
		if _, err := TOTPCode(s, at); err == nil {
			t.Errorf("TOTPCode(%q): got nil error", s)
		}
	}
	if _, err := TOTPCode(rfcSecret, time.Unix(-1, 0)); err == nil {
		t.Error("TOTPCode before the epoch: got nil error")
	}
}

func TestNewTOTPSecret(t *testing.T) {
	s, err := NewTOTPSecret()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(s), 32; got != want {
		t.Errorf("len(%q) = %d, want %d", s, got, want)
	}
	if s != strings.ToUpper(s) || strings.Contains(s, "=") {
		t.Errorf("secret %q is not unpadded upper-case base32", s)
	}
	if _, err := TOTPCode(s, time.Now()); err != nil {
		t.Errorf("new secret unusable: %v", err)
	}
}

func TestTOTPValidate(t *testing.T) {
	now := time.Unix(1234567890, 0)
	step := now.Unix() / 30
	codeAt := func(d int64) string {
		c, err := TOTPCode(rfcSecret, time.Unix((step+d)*30, 0))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	cur := codeAt(0)
	tests := []struct {
		name     string
		code     string
		lastUsed int64
		wantStep int64
		wantOK   bool
	}{
		{"current", cur, -1, step, true},
		{"previous step", codeAt(-1), -1, step - 1, true},
		{"next step", codeAt(1), -1, step + 1, true},
		{"two steps old", codeAt(-2), -1, 0, false},
		{"two steps ahead", codeAt(2), -1, 0, false},
		{"replay of current", cur, step, 0, false},
		{"replay of older code", codeAt(-1), step - 1, 0, false},
		{"older code after newer used", codeAt(-1), step, 0, false},
		{"newer code after older used", codeAt(1), step, step + 1, true},
		{"spaces", cur[:3] + " " + cur[3:], -1, step, true},
		{"surrounding spaces", "  " + cur + "\t", -1, step, true},
		{"wrong", wrongCode(cur, codeAt(-1), codeAt(1)), -1, 0, false},
		{"empty", "", -1, 0, false},
		{"five digits", cur[:5], -1, 0, false},
		{"seven digits", cur + "0", -1, 0, false},
		{"letters", "abcdef", -1, 0, false},
		{"full-width digits", "１２３４５６", -1, 0, false},
		{"signed", "+" + cur[1:], -1, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gotStep, gotOK := TOTPValidate(rfcSecret, tt.code, now, tt.lastUsed)
			if gotStep != tt.wantStep || gotOK != tt.wantOK {
				t.Errorf("TOTPValidate(%q, last=%d) = %d, %v, want %d, %v",
					tt.code, tt.lastUsed, gotStep, gotOK, tt.wantStep, tt.wantOK)
			}
		})
	}
	if _, ok := TOTPValidate("!!", cur, now, -1); ok {
		t.Error("TOTPValidate with a bad secret: ok")
	}
	if _, ok := TOTPValidate(rfcSecret, cur, time.Unix(-30, 0), -1); ok {
		t.Error("TOTPValidate before the epoch: ok")
	}
}

// wrongCode returns a 6-digit code differing from all of avoid.
func wrongCode(avoid ...string) string {
	for _, c := range []string{"000000", "111111", "222222", "333333"} {
		clash := false
		for _, a := range avoid {
			clash = clash || a == c
		}
		if !clash {
			return c
		}
	}
	return "444444"
}

func TestTOTPURL(t *testing.T) {
	tests := []struct {
		issuer, account, secret, want string
	}{
		{
			"Kefu", "alice@example.com", "JBSWY3DPEHPK3PXP",
			"otpauth://totp/Kefu:alice@example.com?secret=JBSWY3DPEHPK3PXP&issuer=Kefu&algorithm=SHA1&digits=6&period=30",
		},
		{
			"Acme & Co: Support", "bob smith+1@x.cn", "ABC",
			"otpauth://totp/Acme%20&%20Co%3A%20Support:bob%20smith%2B1@x.cn?secret=ABC&issuer=Acme%20%26%20Co%3A%20Support&algorithm=SHA1&digits=6&period=30",
		},
		{
			"客服", "张伟/1?", "ABC",
			"otpauth://totp/%E5%AE%A2%E6%9C%8D:%E5%BC%A0%E4%BC%9F%2F1%3F?secret=ABC&issuer=%E5%AE%A2%E6%9C%8D&algorithm=SHA1&digits=6&period=30",
		},
		{
			"", "alice", "ABC",
			"otpauth://totp/alice?secret=ABC&algorithm=SHA1&digits=6&period=30",
		},
	}
	for _, tt := range tests {
		got := TOTPURL(tt.issuer, tt.account, tt.secret)
		if got != tt.want {
			t.Errorf("TOTPURL(%q, %q) =\n %s\nwant\n %s", tt.issuer, tt.account, got, tt.want)
		}
		// Whatever the escaping, a standard parser must recover the parts.
		u, err := url.Parse(got)
		if err != nil {
			t.Fatalf("url.Parse(%q): %v", got, err)
		}
		label := tt.account
		if tt.issuer != "" {
			label = tt.issuer + ":" + tt.account
		}
		if got, want := strings.TrimPrefix(u.Path, "/"), label; got != want {
			t.Errorf("parsed label = %q, want %q", got, want)
		}
		if got, want := u.Query().Get("issuer"), tt.issuer; got != want {
			t.Errorf("parsed issuer = %q, want %q", got, want)
		}
		if got, want := u.Query().Get("secret"), tt.secret; got != want {
			t.Errorf("parsed secret = %q, want %q", got, want)
		}
	}
}
