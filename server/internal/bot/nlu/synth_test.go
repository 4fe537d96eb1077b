package nlu

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// synthFAQ makes a deterministic FAQ of n entries with q questions each, worded
// from a Zipf-distributed vocabulary of made-up words so that common words are
// shared across many entries (as "how", "my", "card" are in real FAQs), plus a
// few words particular to each entry, the way real FAQs differ by topic words.
func synthFAQ(n, q int, seed uint64) (entries []Entry, queries []string) {
	r := rand.New(rand.NewPCG(seed, 1))
	const vocabSize = 20000
	words := make([]string, vocabSize)
	for i := range words {
		var b strings.Builder
		for l := 3 + r.IntN(6); l > 0; l-- {
			b.WriteByte(byte('a' + r.IntN(26)))
		}
		words[i] = b.String()
	}
	zipf := rand.NewZipf(r, 1.1, 2, vocabSize-1)
	sentence := func(topic []string) string {
		var parts []string
		for l := 5 + r.IntN(8); l > 0; l-- {
			if r.IntN(3) == 0 {
				parts = append(parts, topic[r.IntN(len(topic))])
			} else {
				parts = append(parts, words[zipf.Uint64()])
			}
		}
		return strings.Join(parts, " ")
	}
	for i := 0; i < n; i++ {
		topic := []string{words[r.IntN(vocabSize)], words[r.IntN(vocabSize)], words[r.IntN(vocabSize)]}
		e := Entry{ID: fmt.Sprintf("faq-%d", i)}
		for j := 0; j < q; j++ {
			e.Questions = append(e.Questions, sentence(topic))
		}
		entries = append(entries, e)
		queries = append(queries, sentence(topic)+"?")
	}
	return entries, queries
}
