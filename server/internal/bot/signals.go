package bot

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// normalise folds full-width forms and case so "ＡＧＥＮＴ" and "Agent" match "agent".
func normalise(s string) string {
	return strings.ToLower(norm.NFKC.String(s))
}

// Phrases that ask for a person. CJK phrases match as substrings (there are no word
// boundaries to respect); Latin ones match whole words. The lists favour precision:
// a hand-off nobody asked for costs an agent's time, a missed one is retried by the
// customer in other words, which the repeated-fallback rule catches.
var (
	handoffCJK = []string{"转人工", "人工客服", "人工服务", "人工坐席", "接人工", "找人工", "要人工", "转接人工",
		"真人", "活人", "客服人员", "找客服", "联系客服", "转客服", "人工", "不要机器人", "别用机器人", "不想和机器人"}
	// Words containing 人工 that do not ask for a person.
	handoffCJKNot = []string{"人工智能", "人工费", "人工成本", "人工湖", "人工合成"}
	handoffLatin  = [][]string{
		{"agent"}, {"human"}, {"humans"}, {"representative"}, {"operator"}, {"real", "person"},
		{"live", "agent"}, {"live", "person"}, {"talk", "to", "someone"}, {"speak", "to", "someone"},
		{"talk", "to", "a", "person"}, {"speak", "to", "a", "person"}, {"customer", "service", "rep"},
		{"speak", "with", "someone"}, {"talk", "with", "someone"}, {"not", "a", "bot"},
	}
	// Latin words that make "agent" or "human" mean something else.
	handoffLatinNot = [][]string{{"travel", "agent"}, {"user", "agent"}, {"estate", "agent"}, {"human", "resources"}}
)

// AsksForHuman reports whether the text asks to talk to a person; extra are the
// tenant's own phrases (matched as substrings, case-insensitively).
func AsksForHuman(text string, extra []string) bool {
	t := normalise(text)
	for _, k := range extra {
		if k = normalise(strings.TrimSpace(k)); k != "" && strings.Contains(t, k) {
			return true
		}
	}
	cjk := t
	for _, n := range handoffCJKNot {
		cjk = strings.ReplaceAll(cjk, n, " ")
	}
	for _, k := range handoffCJK {
		if strings.Contains(cjk, k) {
			return true
		}
	}
	words := latinWords(t)
	for _, n := range handoffLatinNot {
		words = removePhrase(words, n)
	}
	for _, p := range handoffLatin {
		if indexPhrase(words, p) >= 0 {
			return true
		}
	}
	return false
}

// Negative words and their weight; a message scoring NegativeThreshold or more is
// "strongly negative". Weights: 3 is abuse or a threat to escalate, 2 is plain anger,
// 1 only adds up with others.
var (
	negativeCJK = map[string]int{
		"垃圾": 3, "骗子": 3, "诈骗": 3, "坑人": 3, "气死": 3, "愤怒": 3, "恶心": 3, "滚": 3, "他妈": 3, "妈的": 3,
		"废物": 3, "报警": 3, "12315": 3, "消协": 3, "起诉": 3, "忍无可忍": 3, "欺诈": 3,
		"太差": 2, "差劲": 2, "生气": 2, "失望": 2, "曝光": 2, "差评": 2, "退钱": 2, "什么破": 2, "烂透": 2,
		"投诉": 2, "无语": 1, "太慢": 1, "没人管": 2, "不靠谱": 2, "坑": 1, "烦": 1, "怎么回事": 1,
	}
	negativeLatin = map[string]int{
		"scam": 3, "fraud": 3, "furious": 3, "disgusting": 3, "wtf": 3, "lawyer": 3, "sue": 3, "ripoff": 3,
		"terrible": 2, "worst": 2, "awful": 2, "useless": 2, "ridiculous": 2, "angry": 2, "unacceptable": 2,
		"hate": 2, "stupid": 2, "pathetic": 2, "horrible": 2, "incompetent": 2, "complaint": 1, "annoyed": 1,
		"disappointed": 2, "joke": 1, "never": 1,
	}
	negativeEmoji = map[rune]int{'😡': 3, '🤬': 3, '😠': 2, '💢': 2, '👎': 1, '😤': 2, '😭': 1}
	negators      = map[string]bool{"not": true, "no": true, "never": true, "isn't": true, "wasn't": true, "don't": true}
	negatorsCJK   = []string{"不", "没", "别"}
)

// NegativeThreshold is the score from which a message counts as strongly negative.
const NegativeThreshold = 4

// Negativity scores how upset a message sounds (0: not at all). It is a lexicon with
// a few rules (negation, shouting, repeated punctuation), cheap enough for every
// message and predictable for tenants, not a model.
func Negativity(text string) int {
	t := normalise(text)
	score := 0
	for k, w := range negativeCJK {
		for i := 0; ; {
			j := strings.Index(t[i:], k)
			if j < 0 {
				break
			}
			at := i + j
			// 不太差 / 没有骗子: a negator just before turns it around.
			if !negatedCJK(t[:at]) {
				score += w
			}
			i = at + len(k)
		}
	}
	words := latinWords(t)
	for i, w := range words {
		if v, ok := negativeLatin[w]; ok {
			if i > 0 && negators[words[i-1]] || i > 1 && negators[words[i-2]] {
				continue
			}
			score += v
		}
	}
	if indexPhrase(words, []string{"rip", "off"}) >= 0 || indexPhrase(words, []string{"fed", "up"}) >= 0 {
		score += 2
	}
	for _, r := range t {
		score += negativeEmoji[r]
	}
	// After NFKC, full-width ！ and ？ are ASCII.
	if strings.Contains(t, "!!") || strings.Contains(t, "???") {
		score++
	}
	// Shouting: at least two all-capital words of three letters or more.
	caps := 0
	for _, f := range strings.FieldsFunc(norm.NFKC.String(text), func(r rune) bool { return !unicode.IsLetter(r) }) {
		if len(f) >= 3 && f == strings.ToUpper(f) && f != strings.ToLower(f) {
			caps++
		}
	}
	if caps >= 2 {
		score++
	}
	return score
}

func negatedCJK(before string) bool {
	for _, n := range negatorsCJK {
		if strings.HasSuffix(before, n) || strings.HasSuffix(before, n+"太") || strings.HasSuffix(before, n+"是") || strings.HasSuffix(before, n+"有") {
			return true
		}
	}
	return false
}

// latinWords splits lower-cased text into runs of Latin letters, digits and
// apostrophes (CJK and punctuation separate words).
func latinWords(t string) []string {
	return strings.FieldsFunc(t, func(r rune) bool {
		return !(r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) || r == '\'')
	})
}

func indexPhrase(words, p []string) int {
	for i := 0; i+len(p) <= len(words); i++ {
		ok := true
		for j := range p {
			if words[i+j] != p[j] {
				ok = false
				break
			}
		}
		if ok {
			return i
		}
	}
	return -1
}

func removePhrase(words, p []string) []string {
	for {
		i := indexPhrase(words, p)
		if i < 0 {
			return words
		}
		words = append(append([]string(nil), words[:i]...), words[i+len(p):]...)
	}
}
