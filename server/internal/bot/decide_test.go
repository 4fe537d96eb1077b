package bot

import (
	"strings"
	"testing"

	"github.com/google/uuid"
)

func testModel(t *testing.T) *Loaded {
	t.Helper()
	l, err := Build(Snapshot{Revision: 7, Entries: []Entry{
		{ID: "faq:refund", Kind: "faq", Question: "退款多久到账", Similar: []string{"退款什么时候到", "钱什么时候退回来", "退款进度怎么查", "refund 多久到账"},
			Answer: "退款在 1-3 个工作日内原路退回。", Variants: map[string]string{"sms": "退款1-3个工作日到账。"}},
		{ID: "faq:invoice", Kind: "faq", Question: "怎么开发票", Similar: []string{"发票在哪里开", "我要开增值税发票", "可以开发票吗", "电子发票怎么申请"},
			Answer: "在订单详情页点击“申请发票”。"},
		{ID: "faq:password", Kind: "faq", Question: "忘记密码怎么办", Similar: []string{"密码忘了", "重置密码", "找回密码", "登录密码不记得了"},
			Answer: "在登录页点击“忘记密码”，用手机验证码重置。"},
		{ID: "faq:card", Kind: "faq", Question: "card arrival", Similar: []string{"when will my card arrive", "my card has not arrived yet", "how long does card delivery take"},
			Answer: "Cards arrive within 5 working days."},
	}})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestDecide(t *testing.T) {
	m := testModel(t)
	set := DefaultSettings()

	d := Decide("我的退款什么时候能到账", &set, m, State{ChannelKind: "web"})
	if d.Decision != Answer || d.EntryID != "faq:refund" || d.Reply != "退款在 1-3 个工作日内原路退回。" || d.Revision != 7 {
		t.Fatalf("refund question: %+v", d)
	}
	if d.Confidence < set.AnswerThreshold || d.Confidence > 1 {
		t.Errorf("confidence %v outside [threshold, 1]", d.Confidence)
	}
	if d := Decide("我的退款什么时候能到账", &set, m, State{ChannelKind: "sms"}); d.Reply != "退款1-3个工作日到账。" {
		t.Errorf("sms variant not used: %q", d.Reply)
	}
	if d := Decide("when does my new card arrive", &set, m, State{}); d.Decision != Answer || d.EntryID != "faq:card" {
		t.Errorf("English question: %+v", d)
	}

	// Asking for a person wins over a confident answer.
	if d := Decide("退款多久到账，转人工", &set, m, State{}); d.Decision != Handoff || d.Reason != ReasonAsked {
		t.Errorf("hand-off request: %+v", d)
	}
	if d := Decide("垃圾！！骗子！退款呢", &set, m, State{}); d.Decision != Handoff || d.Reason != ReasonNegative {
		t.Errorf("angry customer: %+v", d)
	}
	calm := set
	calm.HandoffOnNegative = false
	if d := Decide("垃圾！！骗子！退款呢", &calm, m, State{}); d.Decision == Handoff {
		t.Errorf("hand-off on negativity although switched off: %+v", d)
	}

	// Off-topic: never answered (at most a suggestion).
	for _, q := range []string{"明天会下雨吗", "what is the capital of France"} {
		if d := Decide(q, &set, m, State{}); d.Decision == Answer {
			t.Errorf("off-topic %q answered: %+v", q, d)
		}
	}
	// Nothing the model knows: fallback, then hand-off on the second miss in a row.
	d = Decide("xyzzy plugh", &set, m, State{})
	if d.Decision != Fallback || d.Reply != set.FallbackText {
		t.Fatalf("unknown words: %+v", d)
	}
	if d := Decide("xyzzy plugh", &set, m, State{Fallbacks: 1}); d.Decision != Handoff || d.Reason != ReasonFallbacks {
		t.Errorf("second fallback: %+v", d)
	}
	never := set
	never.MaxFallbacks = 0
	if d := Decide("xyzzy plugh", &never, m, State{Fallbacks: 9}); d.Decision != Fallback {
		t.Errorf("max_fallbacks 0 still hands off: %+v", d)
	}

	// No model yet: fallback with a reason, no panic.
	if d := Decide("退款多久到账", &set, nil, State{}); d.Decision != Fallback || d.Reason != ReasonNoModel {
		t.Errorf("no model: %+v", d)
	}
}

func TestClarifyAndPick(t *testing.T) {
	m := testModel(t)
	set := DefaultSettings()
	// Thresholds that make every match a suggestion.
	set.AnswerThreshold, set.ClarifyThreshold = 1.01, 0.0001
	d := Decide("发票 退款", &set, m, State{})
	if d.Decision != Clarify || len(d.Matches) < 2 || len(d.Matches) > 3 {
		t.Fatalf("clarify: %+v", d)
	}
	if !strings.HasPrefix(d.Reply, set.ClarifyText) || !strings.Contains(d.Reply, "\n1. ") || !strings.Contains(d.Reply, "\n2. ") {
		t.Errorf("clarify text: %q", d.Reply)
	}
	st := State{Suggested: d.Matches}
	for _, pick := range []string{"2", "２", "第二个", " 2。", d.Matches[1].Question} {
		p := Decide(pick, &set, m, st)
		if p.Decision != Answer || p.EntryID != d.Matches[1].EntryID {
			t.Errorf("pick %q: %+v, want entry %s", pick, p, d.Matches[1].EntryID)
		}
	}
	if p := Decide("9", &set, m, st); p.Decision == Answer && p.Reason == "picked" {
		t.Errorf("out-of-range pick answered: %+v", p)
	}
}

func TestDecideBadInput(t *testing.T) {
	m := testModel(t)
	set := DefaultSettings()
	for _, s := range []string{"", "   ", "🙂🙂🙂", "<script>alert(1)</script>", strings.Repeat("退款", 50000), "\x00\xff\xfe", "ｒｅｆｕｎｄ 多久 到账"} {
		d := Decide(s, &set, m, State{})
		if d.Decision == "" {
			t.Errorf("no decision for %q", s)
		}
	}
}

func TestModelRoundTrip(t *testing.T) {
	m := testModel(t)
	snap := make([]Entry, 0, len(m.Entries))
	for _, e := range m.Entries {
		snap = append(snap, *e)
	}
	b, err := encodeModel(m.Model, snap)
	if err != nil {
		t.Fatal(err)
	}
	l, err := decodeModel(7, b)
	if err != nil {
		t.Fatal(err)
	}
	set := DefaultSettings()
	for _, q := range []string{"我的退款什么时候能到账", "发票在哪开", "card not here yet", "天气"} {
		a, b := Decide(q, &set, m, State{}), Decide(q, &set, l, State{})
		if a.Decision != b.Decision || a.EntryID != b.EntryID || a.Confidence != b.Confidence {
			t.Errorf("%q: before %+v, after %+v", q, a, b)
		}
	}
	for _, bad := range [][]byte{nil, {1, 2}, append([]byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0}, b[8:]...)} {
		if _, err := decodeModel(1, bad); err == nil {
			t.Errorf("decoded %d bad bytes", len(bad))
		}
	}
}

func TestRegistryDropsTheLeastRecentlyUsed(t *testing.T) {
	var r registry
	first := uuid.New()
	r.entry(first)
	for i := 0; i < maxModels-1; i++ {
		r.entry(uuid.New())
	}
	r.entry(first) // used again: not the oldest any more
	extra := uuid.New()
	r.entry(extra)
	if len(r.tenants) != maxModels {
		t.Fatalf("cached %d tenants, want %d", len(r.tenants), maxModels)
	}
	if r.tenants[first] == nil || r.tenants[extra] == nil {
		t.Error("dropped a recently used tenant")
	}
}
