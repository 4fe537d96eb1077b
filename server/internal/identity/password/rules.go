package password

import (
	_ "embed"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// Length limits, in runes so that a CJK or emoji password is judged by what
// the user typed rather than by its UTF-8 size. The upper bound is generous
// for passphrases yet keeps request bodies and hashing input small.
const (
	MinLength = 8
	MaxLength = 128
)

// Rule codes returned in RuleError.Code. They are stable identifiers that
// clients translate; Message is only an English fallback.
const (
	CodeTooShort         = "password.too-short"
	CodeTooLong          = "password.too-long"
	CodeTooCommon        = "password.too-common"
	CodeContainsUserInfo = "password.contains-user-info"
)

// minUserInputLen keeps short inputs (an email local part like "li") from
// rejecting most passwords that merely happen to contain them.
const minUserInputLen = 4

// RuleError reports a password that breaks one of the rules checked by
// Validate.
type RuleError struct {
	Code    string
	Message string
}

func (e *RuleError) Error() string { return e.Message }

//go:embed common.txt
var commonTxt string

// commonSet is built on first use so that binaries which never validate a
// password do not pay for the map.
var commonSet = sync.OnceValue(func() map[string]struct{} {
	set := make(map[string]struct{}, 1024)
	for line := range strings.Lines(commonTxt) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		set[strings.ToLower(line)] = struct{}{}
	}
	return set
})

// Validate checks plain against the password rules and returns a *RuleError
// for the first one it breaks. userInputs are values the user chose or that
// are public about them (email, name, username): a password built from them is
// the first thing a targeted attacker tries.
func Validate(plain string, userInputs ...string) error {
	n := utf8.RuneCountInString(plain)
	if n < MinLength {
		return &RuleError{Code: CodeTooShort, Message: "password must be at least " + strconv.Itoa(MinLength) + " characters"}
	}
	if n > MaxLength {
		return &RuleError{Code: CodeTooLong, Message: "password must be at most " + strconv.Itoa(MaxLength) + " characters"}
	}
	lower := strings.ToLower(plain)
	if _, ok := commonSet()[lower]; ok {
		return &RuleError{Code: CodeTooCommon, Message: "password is too common; choose a less predictable one"}
	}
	for _, in := range userInputs {
		for _, cand := range userInfoCandidates(in) {
			if utf8.RuneCountInString(cand) >= minUserInputLen && strings.Contains(lower, cand) {
				return &RuleError{Code: CodeContainsUserInfo, Message: "password must not contain your name or email"}
			}
		}
	}
	return nil
}

// userInfoCandidates returns the lower-cased input and, for an email address,
// its local part, since "alice2024" is as guessable for alice@example.com as
// the full address is.
func userInfoCandidates(in string) []string {
	in = strings.ToLower(strings.TrimSpace(in))
	if at := strings.LastIndexByte(in, '@'); at > 0 {
		return []string{in, in[:at]}
	}
	return []string{in}
}
