package bot

import "testing"

func TestAsksForHuman(t *testing.T) {
	yes := []string{"人工", "转人工", "我要人工客服！", "转接人工服务", "能不能找个真人", "ＡＧＥＮＴ", "agent please",
		"Can I talk to a human?", "I want to speak to someone", "real person please", "给我转人工 😡", "不要机器人了"}
	no := []string{"退款多久到账", "人工智能是什么", "人工费怎么算", "my travel agent booked it", "what is your user agent",
		"human resources phone number", "", "🙂", "refund status"}
	for _, s := range yes {
		if !AsksForHuman(s, nil) {
			t.Errorf("AsksForHuman(%q) = false, want true", s)
		}
	}
	for _, s := range no {
		if AsksForHuman(s, nil) {
			t.Errorf("AsksForHuman(%q) = true, want false", s)
		}
	}
	if !AsksForHuman("我要找店长", []string{"店长"}) {
		t.Error("a tenant's own phrase does not hand off")
	}
	if AsksForHuman("我要找店长", []string{"  "}) {
		t.Error("a blank tenant phrase matches everything")
	}
}

func TestNegativity(t *testing.T) {
	strong := []string{"垃圾客服！！", "你们就是骗子，我要报警", "😡😡 还不发货", "This is a SCAM, TERRIBLE service",
		"worst company ever, I am furious", "气死我了，什么破服务"}
	mild := []string{"退款多久到账", "谢谢", "not bad at all", "怎么投诉", "快递有点慢", "不太差", "I am not angry, just asking",
		"hello 😊", ""}
	for _, s := range strong {
		if n := Negativity(s); n < NegativeThreshold {
			t.Errorf("Negativity(%q) = %d, want >= %d", s, n, NegativeThreshold)
		}
	}
	for _, s := range mild {
		if n := Negativity(s); n >= NegativeThreshold {
			t.Errorf("Negativity(%q) = %d, want < %d", s, n, NegativeThreshold)
		}
	}
}

func TestSettingsValidate(t *testing.T) {
	ok := DefaultSettings()
	if err := ok.Validate(); err != nil {
		t.Fatalf("defaults invalid: %v", err)
	}
	cases := map[string]func(*Settings){
		"answer above 1":         func(s *Settings) { s.AnswerThreshold = 1.5 },
		"clarify above answer":   func(s *Settings) { s.ClarifyThreshold = 0.9; s.AnswerThreshold = 0.5 },
		"empty fallback":         func(s *Settings) { s.FallbackText = "  " },
		"huge greeting":          func(s *Settings) { s.Greeting = string(make([]rune, MaxTextSetting+1)) },
		"negative fallbacks":     func(s *Settings) { s.MaxFallbacks = -1 },
		"llm without url":        func(s *Settings) { s.LLM = LLM{Enabled: true, Model: "m", TimeoutMS: 1000} },
		"llm with a file url":    func(s *Settings) { s.LLM = LLM{Enabled: true, BaseURL: "file:///etc/passwd", Model: "m"} },
		"llm without model":      func(s *Settings) { s.LLM = LLM{Enabled: true, BaseURL: "https://x.example/v1"} },
		"timeout too small":      func(s *Settings) { s.LLM.TimeoutMS = 5 },
		"too many keywords":      func(s *Settings) { s.HandoffKeywords = make([]string, MaxKeywords+1) },
		"keyword too long":       func(s *Settings) { s.HandoffKeywords = []string{string(make([]rune, MaxKeywordLen+1))} },
		"clarify below zero":     func(s *Settings) { s.ClarifyThreshold = -0.1 },
		"too many fallbacks set": func(s *Settings) { s.MaxFallbacks = 21 },
	}
	for name, mut := range cases {
		s := DefaultSettings()
		mut(&s)
		if err := s.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestGroupTurns(t *testing.T) {
	turns := []Turn{
		{Question: "发票怎么开", Matches: []Match{{EntryID: "faq:1", Question: "如何开发票"}}},
		{Question: "发票怎么开？", Matches: []Match{{EntryID: "faq:1", Question: "如何开发票"}}},
		{Question: "怎么开发票", Matches: []Match{{EntryID: "faq:2", Question: "别的"}}},
		{Question: "发票怎么开"},
		{Question: "do you ship to Mars"},
		{Question: "   "},
	}
	gs := groupTurns(turns, 10)
	if len(gs) != 2 {
		t.Fatalf("groups = %d (%+v), want 2", len(gs), gs)
	}
	if gs[0].Count != 4 || gs[0].Question != "发票怎么开" {
		t.Errorf("first group = %+v, want 4 turns led by 发票怎么开", gs[0])
	}
	if gs[0].Guess == nil || gs[0].Guess.EntryID != "faq:1" {
		t.Errorf("guess = %+v, want faq:1", gs[0].Guess)
	}
	if gs[1].Count != 1 || gs[1].Guess != nil {
		t.Errorf("second group = %+v", gs[1])
	}
	if got := groupTurns(turns, 1); len(got) != 1 {
		t.Errorf("limit ignored: %d groups", len(got))
	}
}
