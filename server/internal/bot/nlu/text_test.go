package nlu

import (
	"strings"
	"testing"
	"time"
)

func texts(toks []Token) []string {
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = t.Text
	}
	return out
}

func TestTokenize(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"english", "How do I reset my PIN?", []string{"how", "do", "i", "reset", "my", "pin"}},
		{"apostrophe", "I can't log in, it doesn’t work", []string{"i", "cant", "log", "in", "it", "doesnt", "work"}},
		{"chinese", "怎么退款？", []string{"怎", "么", "退", "款"}},
		{"mixed", "我的iPhone 15无法付款", []string{"我", "的", "iphone", "15", "无", "法", "付", "款"}},
		{"full width", "ＡＢＣ　１２３，退款", []string{"abc", "123", "退", "款"}},
		{"emoji", "card 💳 broken 😡😡", []string{"card", "💳", "broken", "😡", "😡"}},
		{"emoji zwj", "👩‍💻 help", []string{"👩", "💻", "help"}},
		{"currency", "refund $20 or ¥100", []string{"refund", "$", "20", "or", "¥", "100"}},
		{"html", "<p>Where is my <b>order</b>?</p><br/>&amp; thanks&nbsp;a lot", []string{"where", "is", "my", "order", "thanks", "a", "lot"}},
		{"less than", "fee < 5 dollars", []string{"fee", "5", "dollars"}},
		{"accents", "Café RÉSUMÉ", []string{"café", "résumé"}},
		{"empty", "", []string{}},
		{"junk", "!!! ??? ... \x00\x01 \ufffd", []string{}},
		{"japanese korean", "カード 카드", []string{"カ", "ー", "ド", "카", "드"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := texts(Tokenize(tt.in))
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("Tokenize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestTokenizeMarksCJK(t *testing.T) {
	toks := Tokenize("退款 refund")
	if !toks[0].CJK || !toks[1].CJK || toks[2].CJK {
		t.Errorf("CJK flags wrong: %+v", toks)
	}
}

func TestNormalizeHugeInput(t *testing.T) {
	huge := strings.Repeat("退款 refund 💳 ", 1<<20/20)
	start := time.Now()
	n := Normalize(huge)
	if len(n) > maxInputBytes {
		t.Errorf("normalised %d bytes, want at most %d", len(n), maxInputBytes)
	}
	toks := Tokenize(huge)
	if len(toks) == 0 || len(toks) > maxInputBytes {
		t.Errorf("%d tokens from 1 MB", len(toks))
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Logf("slow: %v", d) // not asserted: CI machines are shared
	}
	// cut in the middle of a multi-byte rune: still valid UTF-8, no panic
	odd := strings.Repeat("a", maxInputBytes-1) + "退款"
	if got := Normalize(odd); !strings.HasPrefix(got, "aaa") || strings.ContainsRune(got, '\ufffd') {
		t.Errorf("bad truncation: %q", got[len(got)-8:])
	}
}

func TestFeaturesDistinguishBlocks(t *testing.T) {
	c := featureConfig{WordMax: 2, CharMin: 2, CharMax: 3, CharWeight: 1}
	raw, _ := c.extract(nil, Tokenize("ab"), nil)
	// word "ab"; char grams of " ab ": " a","ab","b " and " ab","ab "
	if len(raw) != 6 {
		t.Fatalf("got %d features, want 6", len(raw))
	}
	seen := map[uint64]bool{}
	for _, f := range raw {
		if seen[f.h] {
			t.Errorf("hash collision between namespaces: %x", f.h)
		}
		seen[f.h] = true
	}
	zh, _ := c.extract(nil, Tokenize("退款"), nil)
	if len(zh) != 3 { // two characters and one bigram, no character n-grams
		t.Errorf("got %d features for 退款, want 3", len(zh))
	}
}

func TestTraditionalToSimplified(t *testing.T) {
	for in, want := range map[string]string{
		"申請退款要怎麼操作？":  "申请退款要怎么操作?",
		"這個訂單的發票":     "这个订单的发票",
		"退欵":          "退款",
		"简体不变 simple": "简体不变 simple",
	} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
	for tr, si := range tradSimp {
		if tr == si || tradSimp[si] != 0 || !isCJK(tr) || !isCJK(si) {
			t.Errorf("pair %c→%c: identical, chained or not Han", tr, si)
		}
	}
	if len(tradSimp) < 700 {
		t.Errorf("%d pairs", len(tradSimp))
	}
}
