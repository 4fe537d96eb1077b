package password

import (
	"errors"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name       string
		plain      string
		userInputs []string
		wantCode   string // "" means valid
	}{
		{"ok", "violet-kettle-42", nil, ""},
		{"empty", "", nil, CodeTooShort},
		{"seven", "abcxyz7", nil, CodeTooShort},
		{"eight", "abcxyz78", nil, ""},
		// 7 runes but 21 bytes: length is judged in characters.
		{"seven CJK runes", "我的猫叫小花花", nil, CodeTooShort},
		{"eight CJK runes", "我的猫叫小花花呀", nil, ""},
		{"emoji", "🐱🐶🐭🐹🐰🦊🐻🐼", nil, ""},
		{"128 runes", strings.Repeat("é", 128), nil, ""},
		{"129 runes", strings.Repeat("é", 129), nil, CodeTooLong},
		{"common", "password", nil, CodeTooCommon},
		{"common digits", "12345678", nil, CodeTooCommon},
		{"common any case", "PassWord123", nil, CodeTooCommon},
		{"common qwerty123", "qwerty123", nil, CodeTooCommon},
		{"common iloveyou", "iloveyou", nil, CodeTooCommon},
		{"common woaini1314", "woaini1314", nil, CodeTooCommon},
		{"common 5201314a", "5201314a", nil, CodeTooCommon},
		{"common a123456789", "A123456789", nil, CodeTooCommon},
		{"equals name", "alexandra", []string{"Alexandra"}, CodeContainsUserInfo},
		{"contains name", "xALEXANDRA2024", []string{"alexandra"}, CodeContainsUserInfo},
		{"contains email", "zoe.wang@example.com!", []string{"zoe.wang@example.com"}, CodeContainsUserInfo},
		{"contains email local part", "zoe.wang-rocks", []string{"Zoe.Wang@example.com"}, CodeContainsUserInfo},
		{"short input ignored", "li-mountain-9", []string{"li@example.com", "Li"}, ""},
		{"empty input ignored", "violet-kettle-42", []string{"", "   "}, ""},
		{"four-rune input counts", "my-name-is-丽丽丽丽", []string{"丽丽丽丽"}, CodeContainsUserInfo},
		{"unrelated inputs", "violet-kettle-42", []string{"bob@example.com", "Bob Smith"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(tt.plain, tt.userInputs...)
			if tt.wantCode == "" {
				if err != nil {
					t.Fatalf("Validate(%q) = %v, want nil", tt.plain, err)
				}
				return
			}
			var re *RuleError
			if !errors.As(err, &re) {
				t.Fatalf("Validate(%q) = %v, want *RuleError", tt.plain, err)
			}
			if got, want := re.Code, tt.wantCode; got != want {
				t.Errorf("Validate(%q) code = %q, want %q", tt.plain, got, want)
			}
			if re.Message == "" || re.Error() != re.Message {
				t.Errorf("Error() = %q, Message = %q; want the non-empty message", re.Error(), re.Message)
			}
		})
	}
}

func TestCommonListSize(t *testing.T) {
	if got, want := len(commonSet()), 500; got < want {
		t.Errorf("common password list has %d entries, want at least %d", got, want)
	}
	for pw := range commonSet() {
		if pw != strings.ToLower(pw) || strings.TrimSpace(pw) != pw {
			t.Errorf("entry %q not normalised", pw)
		}
	}
}
