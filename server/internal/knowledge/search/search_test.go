package search

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

func testDocs() []Doc {
	return []Doc{
		{ID: "zh-refund", Kind: "faq", Locale: "zh-CN", Category: "billing", Tags: []string{"退款"},
			Title: "如何申请退款？", Alt: []string{"退款多久到账"},
			Body: "在订单详情页点击申请退款，审核通过后 3-5 个工作日原路退回。"},
		{ID: "zh-return", Kind: "faq", Locale: "zh-CN", Category: "shipping",
			Title: "怎么退货", Body: "请在收到商品 7 天内提交退货申请，快递费由买家承担。"},
		{ID: "zh-iphone", Kind: "faq", Locale: "zh-CN", Category: "shipping",
			Title: "iPhone 退货政策", Body: "iPhone 在激活前可以无理由退货。"},
		{ID: "zh-iphone-repair", Kind: "faq", Locale: "zh-CN", Category: "support",
			Title: "iPhone 维修", Body: "请携带 iPhone 与发票到门店检测。"},
		{ID: "en-refund", Kind: "faq", Locale: "en", Category: "billing",
			Title: "How do I get a refund?", Alt: []string{"Money back for my order"},
			Body: "Refunds are issued to the original payment method within 5 business days."},
		{ID: "en-shipping", Kind: "article", Locale: "en", Category: "shipping",
			Title: "Shipping policy", Tags: []string{"delivery"},
			Body: "We ship worldwide. Orders shipped before noon arrive the next day. See our returns page for refunding a parcel."},
		{ID: "en-password", Kind: "faq", Locale: "en", Category: "account",
			Title: "Change your password", Body: "Open settings and pick a new secret for signing in."},
		{ID: "en-settings", Kind: "faq", Locale: "en", Category: "account",
			Title: "Account settings", Body: "Here you can change your password and your email address."},
		{ID: "en-cafe", Kind: "faq", Locale: "fr-FR", Category: "misc",
			Title: "Café opening hours", Body: "The crème brûlée is served all day."},
	}
}

func ids(r Result) []string {
	var out []string
	for _, h := range r.Hits {
		out = append(out, h.ID)
	}
	return out
}

func search(ix *Index, text string) Result { return ix.Search(Query{Text: text, Limit: MaxLimit}) }

func TestChineseTwoCharacterWord(t *testing.T) {
	ix := Build(testDocs())
	res := search(ix, "退款")
	if got := ids(res); !slices.Equal(got, []string{"zh-refund"}) {
		t.Fatalf("退款: got %v, want only zh-refund", got)
	}
	if h := res.Hits[0]; !strings.Contains(h.TitleHTML, "<mark>退款</mark>") ||
		!strings.Contains(h.SnippetHTML, "申请<mark>退款</mark>") {
		t.Errorf("highlight: title %q snippet %q", h.TitleHTML, h.SnippetHTML)
	}
	// A longer query shares bigrams with both; the one holding the words
	// contiguously ranks first.
	if got := ids(search(ix, "申请退款")); len(got) == 0 || got[0] != "zh-refund" {
		t.Errorf("申请退款: got %v", got)
	}
}

func TestChineseSingleCharacter(t *testing.T) {
	ix := Build(testDocs())
	got := ids(search(ix, "退"))
	for _, want := range []string{"zh-refund", "zh-return", "zh-iphone"} {
		if !slices.Contains(got, want) {
			t.Errorf("退: %s missing from %v", want, got)
		}
	}
	if slices.Contains(got, "zh-iphone-repair") {
		t.Errorf("退: zh-iphone-repair has no 退 but matched")
	}
	res := search(ix, "退")
	if !strings.Contains(res.Hits[0].TitleHTML, "<mark>退</mark>") {
		t.Errorf("退 not marked alone: %q", res.Hits[0].TitleHTML)
	}
}

func TestEnglishStemming(t *testing.T) {
	ix := Build(testDocs())
	for _, q := range []string{"refunds", "refund", "refunding", "REFUNDED"} {
		got := ids(search(ix, q))
		if len(got) == 0 || got[0] != "en-refund" || !slices.Contains(got, "en-shipping") {
			t.Errorf("%s: got %v, want en-refund first and en-shipping too", q, got)
		}
	}
	res := search(ix, "refund")
	if h := res.Hits[0]; !strings.Contains(h.SnippetHTML, "<mark>Refunds</mark> are issued") {
		t.Errorf("inflected form not highlighted: %q", h.SnippetHTML)
	}
	if got := ids(search(ix, "shipping")); len(got) == 0 || got[0] != "en-shipping" {
		t.Errorf("shipping: got %v", got)
	}
}

func TestRankingTitleBeatsBody(t *testing.T) {
	ix := Build(testDocs())
	got := ids(search(ix, "password"))
	if !slices.Equal(got, []string{"en-password", "en-settings"}) {
		t.Errorf("password: got %v, want the title match first", got)
	}
}

func TestRankingMoreTermsBeatFewer(t *testing.T) {
	docs := []Doc{
		{ID: "a", Title: "Reset your password by email"},
		{ID: "b", Title: "Reset your password"},
		{ID: "c", Title: "Email notifications"},
		{ID: "d", Title: "Delete your account"},
	}
	for i := range 20 { // a background for realistic document frequencies
		docs = append(docs, Doc{ID: fmt.Sprintf("z%02d", i), Title: "Opening hours of store", Body: "Open every day."})
	}
	ix := Build(docs)
	got := ids(search(ix, "reset password email"))
	if !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("got %v, want [a b c]", got)
	}
	// A document missing a rare term still appears.
	if got := ids(search(ix, "reset password zebra")); !slices.Equal(got, []string{"b", "a"}) {
		t.Errorf("with an unknown term: got %v, want [b a]", got)
	}
}

func TestRankingPhrase(t *testing.T) {
	docs := []Doc{
		{ID: "a", Title: "Order status and refund", Body: "Policy for gift cards."},
		{ID: "b", Title: "Refund policy", Body: "Order status."},
	}
	ix := Build(docs)
	if got := ids(search(ix, "refund policy")); !slices.Equal(got, []string{"b", "a"}) {
		t.Errorf("got %v, want the contiguous title first", got)
	}
	// Same terms, same lengths: only contiguity can put b before a, which
	// wins ties by ID. In the body as in the title, and in Chinese.
	for _, docs := range [][]Doc{
		{{ID: "a", Title: "policy and refund"}, {ID: "b", Title: "refund policy and"}},
		{{ID: "a", Title: "x", Body: "policy and refund"}, {ID: "b", Title: "x", Body: "and refund policy"}},
		{{ID: "a", Title: "政策 和 退款"}, {ID: "b", Title: "退款政策 和"}},
	} {
		for i := range 10 {
			docs = append(docs, Doc{ID: fmt.Sprint("z", i), Title: "other words"})
		}
		q := "refund policy"
		if strings.HasPrefix(docs[0].Title, "政策") {
			q = "退款政策"
		}
		res := search(Build(docs), q)
		if got := ids(res); !slices.Equal(got, []string{"b", "a"}) || res.Hits[0].Score <= res.Hits[1].Score {
			t.Errorf("%q over %q / %q: got %v", q, docs[0].Title+docs[0].Body, docs[1].Title+docs[1].Body, res.Hits)
		}
	}
}

func TestFilters(t *testing.T) {
	ix := Build(testDocs())
	tests := []struct {
		q    Query
		want []string
	}{
		{Query{Text: "退货", Category: "shipping"}, []string{"zh-iphone", "zh-return"}},
		{Query{Text: "退货 refund", Locale: "en"}, []string{"en-refund", "en-shipping"}},
		{Query{Text: "退货 refund", Locale: "ZH_cn"}, []string{"zh-iphone", "zh-return"}},
		{Query{Text: "refund", Kind: "article"}, []string{"en-shipping"}},
		{Query{Text: "refund", Kind: "FAQ", Category: "billing"}, []string{"en-refund"}},
		{Query{Text: "refund", Category: "nope"}, nil},
		{Query{Text: "refund", Locale: "de"}, nil},
	}
	for _, tt := range tests {
		res := ix.Search(tt.q)
		got := ids(res)
		slices.Sort(got)
		if !slices.Equal(got, tt.want) || res.Total != len(tt.want) {
			t.Errorf("%+v: got %v (total %d), want %v", tt.q, got, res.Total, tt.want)
		}
	}
}

func TestPaginationAndTies(t *testing.T) {
	var docs []Doc
	for i := range 25 {
		// Identical documents in scrambled ID order: every score ties.
		docs = append(docs, Doc{ID: fmt.Sprintf("d%02d", (i*7)%25), Title: "Refund policy", Body: "Same text."})
	}
	ix := Build(docs)
	var got []string
	for off := 0; off < 30; off += 10 {
		res := ix.Search(Query{Text: "refund", Limit: 10, Offset: off})
		if res.Total != 25 {
			t.Fatalf("offset %d: total %d, want 25", off, res.Total)
		}
		got = append(got, ids(res)...)
	}
	want := make([]string, 25)
	for i := range want {
		want[i] = fmt.Sprintf("d%02d", i)
	}
	if !slices.Equal(got, want) {
		t.Errorf("pages = %v, want IDs in order", got)
	}
	if res := ix.Search(Query{Text: "refund", Offset: 100}); res.Total != 25 || len(res.Hits) != 0 {
		t.Errorf("past the end: total %d, %d hits", res.Total, len(res.Hits))
	}
	if res := ix.Search(Query{Text: "refund"}); len(res.Hits) != DefaultLimit {
		t.Errorf("default limit: %d hits", len(res.Hits))
	}
	if res := ix.Search(Query{Text: "refund", Limit: 1000, Offset: -5}); len(res.Hits) != 25 {
		t.Errorf("large limit, negative offset: %d hits", len(res.Hits))
	}
}

func TestDeterminism(t *testing.T) {
	docs := testDocs()
	first := Build(docs).Search(Query{Text: "iPhone 退货 refund", Limit: 100})
	for range 5 {
		again := Build(docs).Search(Query{Text: "iPhone 退货 refund", Limit: 100})
		if fmt.Sprint(again) != fmt.Sprint(first) {
			t.Fatalf("results differ between builds:\n%v\n%v", first, again)
		}
	}
}

// stripMarks removes the markup Search adds; what is left must contain no
// tag at all.
func stripMarks(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "<mark>", ""), "</mark>", "")
}

func checkInert(t testing.TB, h Hit) {
	t.Helper()
	for _, s := range []string{h.TitleHTML, h.SnippetHTML} {
		if strings.Count(s, "<mark>") != strings.Count(s, "</mark>") {
			t.Fatalf("unbalanced marks in %q", s)
		}
		if rest := stripMarks(s); strings.ContainsAny(rest, "<>\"'") {
			t.Fatalf("unescaped markup in %q", s)
		}
		if !utf8.ValidString(s) {
			t.Fatalf("invalid UTF-8 in %q", s)
		}
	}
}

func TestHighlightEscaping(t *testing.T) {
	docs := []Doc{{
		ID:    "x",
		Title: `<script>alert("refund")</script> refund & returns`,
		Body:  `Click <img src=x onerror=alert(1)> to get a refund. O'Brien said "<b>refund</b>".`,
	}}
	ix := Build(docs)
	for _, q := range []string{"refund", "script", "<script>refund", "img onerror", "b"} {
		res := search(ix, q)
		if len(res.Hits) != 1 {
			t.Fatalf("%q: %d hits", q, len(res.Hits))
		}
		checkInert(t, res.Hits[0])
	}
	h := search(ix, "refund script").Hits[0]
	wantTitle := `&lt;<mark>script</mark>&gt;alert(&#34;<mark>refund</mark>&#34;)&lt;/<mark>script</mark>&gt; <mark>refund</mark> &amp; returns`
	if h.TitleHTML != wantTitle {
		t.Errorf("title:\n got %s\nwant %s", h.TitleHTML, wantTitle)
	}
	wantBody := `Click &lt;img src=x onerror=alert(1)&gt; to get a <mark>refund</mark>. O&#39;Brien said &#34;&lt;b&gt;<mark>refund</mark>&lt;/b&gt;&#34;.`
	if h.SnippetHTML != wantBody {
		t.Errorf("snippet:\n got %s\nwant %s", h.SnippetHTML, wantBody)
	}
}

func TestMixedScript(t *testing.T) {
	ix := Build(testDocs())
	for _, q := range []string{"iPhone 退货", "iphone退货", "ｉＰｈｏｎｅ　退货", "iPhone退货??", "📱 iPhone 退货 🙏"} {
		res := search(ix, q)
		got := ids(res)
		if len(got) < 3 || got[0] != "zh-iphone" {
			t.Errorf("%q: got %v, want zh-iphone first", q, got)
			continue
		}
		if h := res.Hits[0]; h.TitleHTML != "<mark>iPhone</mark> <mark>退货</mark>政策" {
			t.Errorf("%q: title %q", q, h.TitleHTML)
		}
		// Both other documents match one term only.
		if !slices.Contains(got, "zh-return") || !slices.Contains(got, "zh-iphone-repair") {
			t.Errorf("%q: partial matches missing from %v", q, got)
		}
	}
}

func TestNormalisation(t *testing.T) {
	ix := Build(testDocs())
	for _, q := range []string{"cafe", "CAFÉ", "ｃａｆｅ", "creme brulee"} {
		if got := ids(search(ix, q)); !slices.Equal(got, []string{"en-cafe"}) {
			t.Errorf("%q: got %v", q, got)
		}
	}
}

func TestEmptyQueries(t *testing.T) {
	ix := Build(testDocs())
	for _, q := range []string{"", "   ", "!!!???", "😀🚀", "\u200b\u00ad", "zzzzunknown", "\xff\xfe"} {
		if res := search(ix, q); res.Total != 0 || len(res.Hits) != 0 {
			t.Errorf("%q: total %d, hits %v", q, res.Total, ids(res))
		}
	}
	var nilIndex *Index
	if res := nilIndex.Search(Query{Text: "refund"}); res.Total != 0 {
		t.Errorf("nil index: %+v", res)
	}
	if res := Build(nil).Search(Query{Text: "refund"}); res.Total != 0 {
		t.Errorf("empty index: %+v", res)
	}
}

func TestQueryTruncation(t *testing.T) {
	ix := Build(testDocs())
	long := strings.Repeat("x ", 200) + "password"
	if res := search(ix, long); res.Total != 0 {
		t.Errorf("a term past %d runes matched: %v", MaxQueryRunes, ids(res))
	}
	search(ix, strings.Repeat("退款政策", 1000)) // must not panic or take long
	search(ix, strings.Repeat("refund ", 1000))
}

func TestSnippetWindow(t *testing.T) {
	filler := strings.Repeat("Lorem ipsum dolor sit amet consectetur. ", 20)
	body := filler + "To cancel a subscription open the billing page. " + filler
	ix := Build([]Doc{{ID: "a", Title: "Long article", Body: body}})
	h := search(ix, "cancel subscription").Hits[0]
	checkInert(t, h)
	if !strings.HasPrefix(h.SnippetHTML, "…") || !strings.HasSuffix(h.SnippetHTML, "…") {
		t.Errorf("snippet should be cut on both sides: %q", h.SnippetHTML)
	}
	if !strings.Contains(h.SnippetHTML, "To <mark>cancel</mark> a <mark>subscription</mark> open") {
		t.Errorf("snippet misses the match: %q", h.SnippetHTML)
	}
	text := strings.Trim(stripMarks(h.SnippetHTML), "…")
	if n := utf8.RuneCountInString(text); n > SnippetRunes || n < SnippetRunes-2*snapRunes {
		t.Errorf("snippet is %d runes: %q", n, text)
	}
	// Words are not cut in half at either end.
	for _, w := range strings.Fields(text) {
		if !strings.Contains(body, " "+w+" ") && !strings.Contains(body, " "+w) {
			t.Errorf("cut word %q in %q", w, text)
		}
	}

	// Title-only match: the snippet is the start of the body.
	h = search(ix, "long article").Hits[0]
	if !strings.HasPrefix(h.SnippetHTML, "Lorem ipsum") || strings.Contains(h.SnippetHTML, "<mark>") {
		t.Errorf("title-only snippet: %q", h.SnippetHTML)
	}

	zh := strings.Repeat("这是一段很长的说明文字。", 30) + "申请退款需要提供订单号。" + strings.Repeat("其他内容。", 30)
	ix = Build([]Doc{{ID: "z", Title: "说明", Body: zh}})
	h = search(ix, "申请退款").Hits[0]
	if !strings.Contains(h.SnippetHTML, "<mark>申请退款</mark>需要提供订单号") {
		t.Errorf("zh snippet: %q", h.SnippetHTML)
	}
}

// TestSnippetLongBody covers articles longer than the region a snippet
// tokenizes: the region must be found from the postings, wherever the best
// match is.
func TestSnippetLongBody(t *testing.T) {
	filler := strings.Repeat("Lorem ipsum dolor sit amet consectetur. ", 200) // 8 KB
	zhFiller := strings.Repeat("这是一段很长的说明文字。", 300)
	docs := []Doc{
		{ID: "start", Title: "Guide", Body: "To cancel a subscription open billing. " + filler + filler},
		{ID: "middle", Title: "Guide", Body: filler + "A lone cancel here. " + filler + "To cancel a subscription open billing. " + filler},
		{ID: "end", Title: "Guide", Body: filler + filler + "To cancel a subscription open billing."},
		{ID: "zh", Title: "说明", Body: zhFiller + "申请退款需要提供订单号。" + zhFiller},
	}
	ix := Build(docs)
	for _, id := range []string{"start", "middle", "end"} {
		res := ix.Search(Query{Text: "cancel subscription", Limit: 10})
		var h Hit
		for _, x := range res.Hits {
			if x.ID == id {
				h = x
			}
		}
		checkInert(t, h)
		if !strings.Contains(h.SnippetHTML, "To <mark>cancel</mark> a <mark>subscription</mark> open billing.") {
			t.Errorf("%s: snippet misses the best match: %q", id, h.SnippetHTML)
		}
		if got := strings.HasPrefix(h.SnippetHTML, "…"); got != (id != "start") {
			t.Errorf("%s: leading ellipsis %v: %q", id, got, h.SnippetHTML)
		}
		if got := strings.HasSuffix(h.SnippetHTML, "…"); got != (id != "end") {
			t.Errorf("%s: trailing ellipsis %v: %q", id, got, h.SnippetHTML)
		}
	}
	h := search(ix, "申请退款").Hits[0]
	if !strings.Contains(h.SnippetHTML, "<mark>申请退款</mark>需要提供订单号") {
		t.Errorf("zh snippet: %q", h.SnippetHTML)
	}
	// Title-only match: the top of the body, cut with an ellipsis.
	h = search(ix, "guide").Hits[0]
	if !strings.HasPrefix(h.SnippetHTML, "To cancel") && !strings.HasPrefix(h.SnippetHTML, "Lorem") || !strings.HasSuffix(h.SnippetHTML, "…") {
		t.Errorf("title-only snippet: %q", h.SnippetHTML)
	}
	// Invalid UTF-8 with no rune start anywhere, longer than a region.
	ix = Build([]Doc{{ID: "bad", Title: "bad refund", Body: strings.Repeat("\x80", 5000) + " refund"}})
	for _, q := range []string{"refund", "bad"} {
		for _, hit := range search(ix, q).Hits {
			checkInert(t, hit)
		}
	}
	// A lone character has no positions of its own: the snippet falls back
	// to the top, where it may or may not be.
	for _, hit := range search(ix, "退").Hits {
		checkInert(t, hit)
	}
}

func TestDuplicateIDsLastWins(t *testing.T) {
	ix := Build([]Doc{{ID: "a", Title: "old refund"}, {ID: "b", Title: "refund"}, {ID: "a", Title: "new refund"}})
	res := search(ix, "refund")
	if res.Total != 2 || ix.Len() != 2 {
		t.Fatalf("total %d, len %d", res.Total, ix.Len())
	}
	if got := search(ix, "old"); got.Total != 0 {
		t.Errorf("replaced document still found")
	}
}

func TestConcurrentSearch(t *testing.T) {
	ix := Build(testDocs())
	want := fmt.Sprint(search(ix, "iPhone 退货"))
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 200 {
				if got := fmt.Sprint(search(ix, "iPhone 退货")); got != want {
					t.Errorf("concurrent result differs")
					return
				}
				search(ix, "refund password")
			}
		})
	}
	wg.Wait()
}

func FuzzSearch(f *testing.F) {
	f.Add("如何申请退款？退款多久到账", "退款")
	f.Add("<script>alert(1)</script> refund", "<script>")
	f.Add("Café crème \u0301\u0301 ｶﾞ", "cafe ｶ")
	f.Add("iPhone 退货政策 😀", "iPhone退货 😀 退")
	f.Add("\xff\xfe refund", "\xffrefund")
	f.Fuzz(func(t *testing.T, text, query string) {
		// The long document exercises snippets cut from a region of the body.
		long := strings.Repeat(text+" refund 退款 ", 2200/(len(text)+15)+1)
		docs := append(testDocs(),
			Doc{ID: "fuzz", Title: text, Alt: []string{text}, Tags: []string{text}, Body: text + " " + text},
			Doc{ID: "fuzz-long", Title: "long", Body: long})
		ix := Build(docs)
		for _, q := range []Query{{Text: query}, {Text: query, Limit: 3, Offset: 2}, {Text: text}, {Text: query + " refund"}} {
			res := ix.Search(q)
			if len(res.Hits) > res.Total || res.Total > len(docs) {
				t.Fatalf("%d hits of %d total", len(res.Hits), res.Total)
			}
			for i, h := range res.Hits {
				checkInert(t, h)
				if i > 0 && h.Score > res.Hits[i-1].Score {
					t.Fatalf("hits out of order: %v", res.Hits)
				}
			}
			if again := ix.Search(q); fmt.Sprint(again) != fmt.Sprint(res) {
				t.Fatalf("same query, different result")
			}
		}
	})
}
