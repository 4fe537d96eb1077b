package routing

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/kefu-io/kefu/server/internal/hours"
)

func TestRulesMatchInOrder(t *testing.T) {
	web, mail := uuid.New(), uuid.New()
	vipTeam, billing, en := uuid.New(), uuid.New(), uuid.New()
	set := Settings{Rules: []Rule{
		{Name: "VIP", Tags: []string{"VIP"}, TeamID: &vipTeam, Priority: 9},
		{Name: "Billing on web", ChannelIDs: []uuid.UUID{web}, Keywords: []string{"Refund", "退款"}, TeamID: &billing, Skills: []string{"Billing"}},
		{Name: "Pre-chat billing", Departments: []string{"Billing"}, TeamID: &billing},
		{Name: "English", Languages: []string{"en"}, TeamID: &en},
	}}
	if err := ValidateSettings(&set); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		f    Facts
		want string
	}{
		{"a tag wins over everything after it", Facts{ChannelID: web, Tags: []string{" vip "}, FirstText: "refund please"}, "VIP"},
		{"keywords are case-insensitive, channel must match", Facts{ChannelID: web, FirstText: "I want a REFUND"}, "Billing on web"},
		{"Chinese keyword", Facts{ChannelID: web, FirstText: "我要退款"}, "Billing on web"},
		{"same words on another channel fall through", Facts{ChannelID: mail, FirstText: "refund", Language: "en-US"}, "English"},
		{"department from the pre-chat form", Facts{ChannelID: mail, Department: "billing"}, "Pre-chat billing"},
		{"language by base", Facts{ChannelID: mail, Language: "en-GB"}, "English"},
		{"nothing matches", Facts{ChannelID: mail, Language: "zh"}, ""},
	}
	for _, c := range cases {
		got := ""
		if r := set.Match(c.f); r != nil {
			got = r.Name
		}
		if got != c.want {
			t.Errorf("%s: matched %q, want %q", c.name, got, c.want)
		}
	}
	if got := set.Rules[1].Skills; len(got) != 1 || got[0] != "billing" {
		t.Errorf("skills are normalised to lower case: %v", got)
	}
}

func TestValidateRejectsBadInput(t *testing.T) {
	long := make([]string, MaxList+1)
	for i := range long {
		long[i] = uuid.NewString()
	}
	bad := []Settings{
		{Rules: []Rule{{Name: ""}}},
		{Rules: []Rule{{Name: "x", Priority: 11}}},
		{Rules: []Rule{{Name: "x", Priority: -1}}},
		{Rules: []Rule{{Name: "x", Keywords: long}}},
		{Rules: make([]Rule, MaxRules+1)},
	}
	for i, s := range bad {
		if err := ValidateSettings(&s); err == nil {
			t.Errorf("case %d: accepted", i)
		}
	}
	id := uuid.New()
	for i, tm := range []Team{{Name: " "}, {Name: "x", Strategy: "fastest"}, {Name: "x", Settings: TeamSettings{OverflowAfter: -1}},
		{ID: id, Name: "x", Settings: TeamSettings{OverflowTeamID: &id}}} {
		if err := ValidateTeam(&tm); err == nil {
			t.Errorf("team case %d: accepted", i)
		}
	}
	if _, err := ValidateMembers([]Member{{}}); err == nil {
		t.Error("a member without a user id was accepted")
	}
	ms, err := ValidateMembers([]Member{{UserID: id, Skills: []string{"A", "a", " "}}, {UserID: id}})
	if err != nil || len(ms) != 1 || len(ms[0].Skills) != 1 {
		t.Errorf("members are de-duplicated and skills cleaned: %+v %v", ms, err)
	}
}

func TestPickFollowsTheStrategy(t *testing.T) {
	at := func(m int) *time.Time { x := time.Date(2026, 1, 1, 0, m, 0, 0, time.UTC); return &x }
	a, b, c := uuid.MustParse("00000000-0000-0000-0000-00000000000a"), uuid.MustParse("00000000-0000-0000-0000-00000000000b"), uuid.MustParse("00000000-0000-0000-0000-00000000000c")
	cands := []Candidate{
		{Agent: Agent{UserID: a, Presence: Online, Capacity: 5, Load: 3}, TeamLastAssignedAt: at(1), Skills: []string{"billing"}},
		{Agent: Agent{UserID: b, Presence: Online, Capacity: 5, Load: 1}, TeamLastAssignedAt: at(5)},
		{Agent: Agent{UserID: c, Presence: Online, Capacity: 5, Load: 2}, TeamLastAssignedAt: nil},
	}
	head := Queued{Skills: []string{"billing"}}
	for _, tc := range []struct {
		s    Strategy
		want uuid.UUID
	}{{RoundRobin, c}, {LeastBusy, b}, {Skills, a}} {
		got, ok := pick(tc.s, head, cands)
		if !ok || got != tc.want {
			t.Errorf("%s: picked %v, want %v", tc.s, got, tc.want)
		}
	}
	full := []Candidate{{Agent: Agent{UserID: a, Presence: Online, Capacity: 2, Load: 2}}, {Agent: Agent{UserID: b, Presence: Busy, Capacity: 5}}}
	if _, ok := pick(RoundRobin, Queued{}, full); ok {
		t.Error("picked an agent at capacity or busy")
	}
	if _, ok := pick(Skills, Queued{Skills: []string{"vip"}}, cands); ok {
		t.Error("skills strategy picked an agent without the skill")
	}
}

func TestDetectLanguage(t *testing.T) {
	for in, want := range map[string]string{"我要退款": "zh", "refund please": "en", "我的 order 在哪": "zh", "12345 !!": "", "": ""} {
		if got := DetectLanguage(in); got != want {
			t.Errorf("DetectLanguage(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWaitText(t *testing.T) {
	if got := waitText(0, "en"); got != "" {
		t.Errorf("no estimate: %q", got)
	}
	if got := waitText(90*time.Second, "en"); got != " (about 2 minutes)" {
		t.Errorf("en: %q", got)
	}
	if got := waitText(time.Minute, "zh-CN"); got != "，预计等待约 1 分钟" {
		t.Errorf("zh: %q", got)
	}
}

func TestNextOpenText(t *testing.T) {
	sch := hours.Schedule{TimeZone: "Asia/Shanghai", Weekly: hours.Week{Mon: []hours.Interval{{Start: "09:00", End: "18:00"}},
		Tue: []hours.Interval{{Start: "09:00", End: "18:00"}}, Fri: []hours.Interval{{Start: "09:00", End: "18:00"}}}}
	cal, err := hours.Compile(sch)
	if err != nil {
		t.Fatal(err)
	}
	sh, _ := time.LoadLocation("Asia/Shanghai")
	for _, c := range []struct {
		now    time.Time
		locale string
		want   string
	}{
		{time.Date(2026, 12, 7, 7, 0, 0, 0, sh), "en", " (we are back today at 09:00)"},   // Monday before opening
		{time.Date(2026, 12, 7, 19, 0, 0, 0, sh), "zh-CN", "（下次服务时间：明天 09:00）"},           // Monday evening
		{time.Date(2026, 12, 8, 19, 0, 0, 0, sh), "en", " (we are back Friday at 09:00)"}, // Tuesday evening
		{time.Date(2026, 12, 8, 19, 0, 0, 0, sh), "zh-CN", "（下次服务时间：周五 09:00）"},           // same, in Chinese
		// Saturday 23:00 in Shanghai, given in UTC: days count in the schedule's zone.
		{time.Date(2026, 12, 12, 15, 0, 0, 0, time.UTC), "en", " (we are back Monday at 09:00)"},
	} {
		if got := nextOpenText(cal, c.now, c.locale); got != c.want {
			t.Errorf("nextOpenText(%v, %s) = %q, want %q", c.now, c.locale, got, c.want)
		}
	}
}
