// Package routing gives queued conversations to agents: presence and capacity (one
// capacity per agent across every tenant they serve), teams with a strategy each,
// routing rules that pick a conversation's team and priority, and the queue.
//
// Correctness rests on one rule: an assignment happens only inside a transaction that
// holds the queue's lock (the team row) and then the agent's row, and re-reads both
// there. Two nodes routing at once therefore serialise on the same rows, so no agent
// is given more than their capacity and no conversation is given twice; the agent's
// load itself is kept by a database trigger on conversations, so every path that
// changes a status or an assignee is counted.
package routing

import (
	"errors"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/kefu-io/kefu/server/internal/conversation"
	"github.com/kefu-io/kefu/server/internal/hours"
	"github.com/kefu-io/kefu/server/internal/platform/errs"
)

// Presence is an agent's availability.
type Presence string

const (
	Online  Presence = "online"  // takes new conversations
	Busy    Presence = "busy"    // keeps their conversations, takes no new ones
	Away    Presence = "away"    // as busy; set by the system when the console closed
	Offline Presence = "offline" // signed off
)

// Valid reports a known presence.
func (p Presence) Valid() bool {
	switch p {
	case Online, Busy, Away, Offline:
		return true
	}
	return false
}

// Strategy picks among a team's available agents.
type Strategy string

const (
	RoundRobin Strategy = "round_robin" // whoever was given one longest ago
	LeastBusy  Strategy = "least_busy"  // the lowest load, then round robin
	Skills     Strategy = "skills"      // only agents with every skill the conversation needs, least busy first
)

func (s Strategy) valid() bool { return s == RoundRobin || s == LeastBusy || s == Skills }

// Limits.
const (
	MaxCapacity    = 100
	MaxTeams       = 200
	MaxTeamMembers = 500
	MaxRules       = 200
	MaxNameLen     = 80
	MaxSkills      = 20
	MaxList        = 50 // values in one rule condition
	MaxPriority    = 10
)

// Agent is a user's routing state, shared by every tenant they serve.
type Agent struct {
	UserID   uuid.UUID `json:"user_id"`
	Presence Presence  `json:"presence"`
	// Auto is true when the system set the presence (away after the console closed).
	Auto     bool `json:"presence_auto"`
	Capacity int  `json:"capacity"`
	// ChannelCapacity optionally caps channel types (connector name → most open
	// conversations of that type at once), within Capacity.
	ChannelCapacity map[string]int `json:"channel_capacity"`
	Load            int            `json:"load"`
	LastAssignedAt  *time.Time     `json:"last_assigned_at"`
	UpdatedAt       time.Time      `json:"updated_at"`
}

// Available reports whether the agent can take a new conversation now.
func (a Agent) Available() bool { return a.Presence == Online && a.Load < a.Capacity }

// MaxChannelCaps bounds the channel types one agent caps.
const MaxChannelCaps = 20

// ValidateChannelCapacity checks per-channel-type caps: connector names of lower-case
// letters, digits, - and _, each cap within 0..MaxCapacity.
func ValidateChannelCapacity(m map[string]int) error {
	if len(m) > MaxChannelCaps {
		return errs.Invalidf("channel_capacity", "at most %d channel types.", MaxChannelCaps)
	}
	for k, v := range m {
		if k == "" || len(k) > 40 || strings.IndexFunc(k, func(r rune) bool {
			return !(r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z')
		}) >= 0 {
			return errs.Invalidf("channel_capacity", "channel types are connector names (a-z, 0-9, - and _).")
		}
		if v < 0 || v > MaxCapacity {
			return errs.Invalidf("channel_capacity", "each cap must be between 0 and %d.", MaxCapacity)
		}
	}
	return nil
}

// DefaultCapacity is an agent's capacity until someone sets it (the column default).
const DefaultCapacity = 5

// Team is a skill group of one tenant.
type Team struct {
	ID        uuid.UUID    `json:"id"`
	Name      string       `json:"name"`
	Strategy  Strategy     `json:"strategy"`
	Settings  TeamSettings `json:"settings"`
	Members   []Member     `json:"members"`
	CreatedAt time.Time    `json:"created_at"`
	UpdatedAt time.Time    `json:"updated_at"`
}

// TeamSettings are a team's overflow rules.
type TeamSettings struct {
	// OverflowAfter is how many minutes a conversation waits before overflowing
	// (0: never).
	OverflowAfter int `json:"overflow_after_minutes"`
	// OverflowTeamID, when set, is where it moves; nil: the customer is offered to
	// leave a message.
	OverflowTeamID *uuid.UUID `json:"overflow_team_id"`
	// Hours are the team's business hours; nil: the tenant's.
	Hours *hours.Schedule `json:"hours"`
}

// Member is an agent in a team.
type Member struct {
	UserID         uuid.UUID  `json:"user_id"`
	Skills         []string   `json:"skills"`
	LastAssignedAt *time.Time `json:"last_assigned_at,omitempty"`
}

// Rule sends matching conversations to a team with a priority. Conditions are ANDed;
// an empty condition matches anything; values within one condition are ORed.
type Rule struct {
	Name        string      `json:"name"`
	ChannelIDs  []uuid.UUID `json:"channel_ids"`
	Departments []string    `json:"departments"`
	Languages   []string    `json:"languages"`
	Tags        []string    `json:"contact_tags"`
	Keywords    []string    `json:"keywords"`
	TeamID      *uuid.UUID  `json:"team_id"`
	Priority    int         `json:"priority"`
	Skills      []string    `json:"skills"`
}

// Settings are a tenant's routing rules, tried in order (the first match wins).
type Settings struct {
	Rules []Rule `json:"rules"`
	// DefaultTeamID takes conversations no rule matched; nil: any member who may
	// reply to conversations.
	DefaultTeamID *uuid.UUID `json:"default_team_id"`
	// QueueMessage is sent to a customer whose conversation has to wait; {position}
	// and {wait} are filled in. Empty: none. "default" is SuggestedQueueMessage in the
	// tenant's language.
	QueueMessage string `json:"queue_message"`
	// Hours are the tenant's business hours (teams may have their own); nil: always
	// open.
	Hours *hours.Schedule `json:"hours"`
	// OutsideHours is what happens to a conversation that has to wait while its queue
	// is closed: it waits (OutsideWait) or its customer is asked to leave a message
	// (OutsideLeaveMessage).
	OutsideHours string `json:"outside_hours"`
	// OutsideHoursMessage is sent to such a customer; {next_open} is filled in.
	// Empty: none; "default": SuggestedOutsideHoursMessage in the tenant's language.
	OutsideHoursMessage string `json:"outside_hours_message"`
	// OverflowAfter is how many minutes a conversation may wait in the general queue
	// (no team) before its customer is asked to leave a message (0: never).
	OverflowAfter int `json:"overflow_after_minutes"`
	// LeaveMessage is sent when a conversation overflows into a left message.
	// Empty: none; "default": SuggestedLeaveMessage in the tenant's language.
	LeaveMessage string `json:"leave_message"`
	// WrapUp is what resolving a conversation asks of the agent.
	WrapUp WrapUp `json:"wrap_up"`
}

// WrapUp says whether resolving asks for a category and summary.
type WrapUp struct {
	// Mode is WrapUpOff, WrapUpOptional or WrapUpRequired (a category is needed).
	Mode string `json:"mode"`
	// Categories are the choices; empty allows any category text.
	Categories []string `json:"categories"`
}

// Wrap-up modes.
const (
	WrapUpOff      = "off"
	WrapUpOptional = "optional"
	WrapUpRequired = "required"
)

// ErrWrapUpRequired is a resolve without the category the tenant requires.
var ErrWrapUpRequired = errs.New(errs.Invalid, "wrapup.required", "This workspace asks for a wrap-up category when resolving.")

// Check validates a wrap-up given when resolving against the tenant's settings.
func (w WrapUp) Check(category string) error {
	category = strings.TrimSpace(category)
	if category == "" {
		if w.Mode == WrapUpRequired {
			return ErrWrapUpRequired.WithField("category")
		}
		return nil
	}
	if len(w.Categories) > 0 && !slices.ContainsFunc(w.Categories, func(c string) bool { return strings.EqualFold(c, category) }) {
		return errs.Invalidf("category", "category must be one of the workspace's wrap-up categories.")
	}
	if utf8.RuneCountInString(category) > MaxNameLen {
		return errs.Invalidf("category", "category can be at most %d characters.", MaxNameLen)
	}
	return nil
}

// What happens outside business hours.
const (
	OutsideWait         = "wait"
	OutsideLeaveMessage = "leave_message"
)

// DefaultSettings are a tenant's settings until an admin saves some. The queue
// message is off until the tenant turns it on: a tenant whose agents do not use
// presence yet would otherwise tell every customer they are waiting in a queue.
func DefaultSettings() Settings {
	return Settings{Rules: []Rule{}, OutsideHours: OutsideWait, WrapUp: WrapUp{Mode: WrapUpOff, Categories: []string{}}}
}

// The texts a tenant gets with "default", in English and Chinese.
const (
	SuggestedQueueMessage          = "All our agents are busy. You are number {position} in the queue{wait}; we will be with you shortly."
	suggestedQueueMessageZH        = "当前坐席繁忙，您排在第 {position} 位{wait}，请稍候。"
	SuggestedOutsideHoursMessage   = "We are outside our service hours right now{next_open}. Leave your message here and we will reply as soon as we are back."
	suggestedOutsideHoursMessageZH = "当前为非服务时间{next_open}。请留言，我们上班后会尽快回复您。"
	SuggestedLeaveMessage          = "Sorry for the wait: all our agents are still busy. Leave your message (and how to reach you) and we will get back to you as soon as we can."
	suggestedLeaveMessageZH        = "抱歉久等，客服仍在忙碌中。请留下您的问题和联系方式，我们会尽快回复您。"
)

// suggested picks a text: the tenant's own, or with "default" the suggested one in
// the tenant's language.
func suggested(text, en, zh, locale string) string {
	if text != "default" {
		return text
	}
	if strings.HasPrefix(strings.ToLower(locale), "zh") {
		return zh
	}
	return en
}

// Facts are what rules look at.
type Facts struct {
	ChannelID  uuid.UUID
	Department string
	Language   string
	Tags       []string
	FirstText  string
}

// Errors.
var (
	ErrTeamNotFound   = errs.New(errs.NotFound, "team.not-found", "The team does not exist.")
	ErrTeamName       = errs.New(errs.Conflict, "team.name-taken", "A team with this name already exists.")
	ErrNotMember      = errs.New(errs.Invalid, "routing.not-member", "Only members of this tenant can be in its teams.")
	ErrAgentNotFound  = errs.New(errs.NotFound, "agent.not-found", "The agent does not exist in this tenant.")
	ErrAtCapacity     = conversation.ErrAtCapacity
	ErrNotQueued      = errs.New(errs.Conflict, "conversation.not-queued", "The conversation is not waiting in the queue.")
	ErrTooManyTeams   = errs.New(errs.Invalid, "team.too-many", "A tenant can have at most 200 teams.")
	errLockContention = errors.New("routing: lock contention")
)

func validName(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errs.Invalidf(field, "%s is required.", field)
	}
	if utf8.RuneCountInString(s) > MaxNameLen {
		return "", errs.Invalidf(field, "%s can be at most %d characters.", field, MaxNameLen)
	}
	return s, nil
}

// cleanList trims, drops empties and duplicates, lower-cases when fold, and bounds a
// list of short strings.
func cleanList(field string, in []string, fold bool) ([]string, error) {
	if len(in) > MaxList {
		return nil, errs.Invalidf(field, "at most %d values.", MaxList)
	}
	out := make([]string, 0, len(in))
	for _, v := range in {
		v = strings.TrimSpace(v)
		if fold {
			v = strings.ToLower(v)
		}
		if v == "" || slices.Contains(out, v) {
			continue
		}
		if utf8.RuneCountInString(v) > MaxNameLen {
			return nil, errs.Invalidf(field, "values can be at most %d characters.", MaxNameLen)
		}
		out = append(out, v)
	}
	return out, nil
}

// ValidateTeam checks and normalises a team's fields (not its members).
func ValidateTeam(t *Team) error {
	var err error
	if t.Name, err = validName("name", t.Name); err != nil {
		return err
	}
	if t.Strategy == "" {
		t.Strategy = RoundRobin
	}
	if !t.Strategy.valid() {
		return errs.Invalidf("strategy", "strategy must be round_robin, least_busy or skills.")
	}
	if t.Settings.OverflowAfter < 0 || t.Settings.OverflowAfter > 24*60 {
		return errs.Invalidf("settings.overflow_after_minutes", "overflow_after_minutes must be between 0 and 1440.")
	}
	if t.Settings.OverflowTeamID != nil && *t.Settings.OverflowTeamID == t.ID {
		return errs.Invalidf("settings.overflow_team_id", "a team cannot overflow into itself.")
	}
	return validHours("settings.hours", t.Settings.Hours)
}

func validHours(field string, h *hours.Schedule) error {
	if h == nil {
		return nil
	}
	if err := h.Validate(); err != nil {
		var fe *hours.FieldError
		if errors.As(err, &fe) {
			return errs.Invalidf(field+"."+fe.Field, "%s", fe.Reason)
		}
		return errs.Invalidf(field, "%s", err.Error())
	}
	return nil
}

// ValidateMembers checks and normalises a team's member list.
func ValidateMembers(ms []Member) ([]Member, error) {
	if len(ms) > MaxTeamMembers {
		return nil, errs.Invalidf("members", "a team can have at most %d members.", MaxTeamMembers)
	}
	seen := map[uuid.UUID]bool{}
	out := make([]Member, 0, len(ms))
	for i, m := range ms {
		if m.UserID == uuid.Nil {
			return nil, errs.Invalidf("members", "member %d has no user_id.", i+1)
		}
		if seen[m.UserID] {
			continue
		}
		seen[m.UserID] = true
		sk, err := cleanList("members.skills", m.Skills, true)
		if err != nil {
			return nil, err
		}
		if len(sk) > MaxSkills {
			return nil, errs.Invalidf("members.skills", "at most %d skills per member.", MaxSkills)
		}
		out = append(out, Member{UserID: m.UserID, Skills: sk})
	}
	return out, nil
}

// ValidateSettings checks and normalises routing settings.
func ValidateSettings(s *Settings) error {
	if len(s.Rules) > MaxRules {
		return errs.Invalidf("rules", "at most %d rules.", MaxRules)
	}
	if s.Rules == nil {
		s.Rules = []Rule{}
	}
	for i := range s.Rules {
		r := &s.Rules[i]
		var err error
		f := func(name string) string { return "rules[" + strconv.Itoa(i) + "]." + name }
		if r.Name, err = validName(f("name"), r.Name); err != nil {
			return err
		}
		if len(r.ChannelIDs) > MaxList {
			return errs.Invalidf(f("channel_ids"), "at most %d values.", MaxList)
		}
		if r.ChannelIDs == nil {
			r.ChannelIDs = []uuid.UUID{}
		}
		if r.Departments, err = cleanList(f("departments"), r.Departments, true); err != nil {
			return err
		}
		if r.Languages, err = cleanList(f("languages"), r.Languages, true); err != nil {
			return err
		}
		if r.Tags, err = cleanList(f("contact_tags"), r.Tags, true); err != nil {
			return err
		}
		if r.Keywords, err = cleanList(f("keywords"), r.Keywords, true); err != nil {
			return err
		}
		if r.Skills, err = cleanList(f("skills"), r.Skills, true); err != nil {
			return err
		}
		if len(r.Skills) > MaxSkills {
			return errs.Invalidf(f("skills"), "at most %d skills.", MaxSkills)
		}
		if r.Priority < 0 || r.Priority > MaxPriority {
			return errs.Invalidf(f("priority"), "priority must be between 0 and %d.", MaxPriority)
		}
	}
	for _, f := range []struct{ name, v string }{{"queue_message", s.QueueMessage},
		{"outside_hours_message", s.OutsideHoursMessage}, {"leave_message", s.LeaveMessage}} {
		if utf8.RuneCountInString(f.v) > 1000 {
			return errs.Invalidf(f.name, "%s can be at most 1000 characters.", f.name)
		}
	}
	if s.OutsideHours == "" {
		s.OutsideHours = OutsideWait
	}
	if s.OutsideHours != OutsideWait && s.OutsideHours != OutsideLeaveMessage {
		return errs.Invalidf("outside_hours", "outside_hours must be wait or leave_message.")
	}
	if s.WrapUp.Mode == "" {
		s.WrapUp.Mode = WrapUpOff
	}
	if s.WrapUp.Mode != WrapUpOff && s.WrapUp.Mode != WrapUpOptional && s.WrapUp.Mode != WrapUpRequired {
		return errs.Invalidf("wrap_up.mode", "wrap_up.mode must be off, optional or required.")
	}
	var err error
	if s.WrapUp.Categories, err = cleanList("wrap_up.categories", s.WrapUp.Categories, false); err != nil {
		return err
	}
	if s.OverflowAfter < 0 || s.OverflowAfter > 24*60 {
		return errs.Invalidf("overflow_after_minutes", "overflow_after_minutes must be between 0 and 1440.")
	}
	return validHours("hours", s.Hours)
}

// Match returns the first rule that matches, or nil.
func (s Settings) Match(f Facts) *Rule {
	text := strings.ToLower(f.FirstText)
	lang := strings.ToLower(f.Language)
	dept := strings.ToLower(strings.TrimSpace(f.Department))
	for i := range s.Rules {
		r := &s.Rules[i]
		if len(r.ChannelIDs) > 0 && !slices.Contains(r.ChannelIDs, f.ChannelID) {
			continue
		}
		if len(r.Departments) > 0 && !slices.Contains(r.Departments, dept) {
			continue
		}
		if len(r.Languages) > 0 && !langMatch(r.Languages, lang) {
			continue
		}
		if len(r.Tags) > 0 && !anyTag(r.Tags, f.Tags) {
			continue
		}
		if len(r.Keywords) > 0 && !anyKeyword(r.Keywords, text) {
			continue
		}
		return r
	}
	return nil
}

// langMatch accepts a rule language "zh" for "zh-cn" and the reverse.
func langMatch(want []string, got string) bool {
	if got == "" {
		return false
	}
	base, _, _ := strings.Cut(got, "-")
	for _, w := range want {
		wb, _, _ := strings.Cut(w, "-")
		if w == got || wb == got || w == base || wb == base {
			return true
		}
	}
	return false
}

func anyTag(want, have []string) bool {
	for _, h := range have {
		if slices.Contains(want, strings.ToLower(strings.TrimSpace(h))) {
			return true
		}
	}
	return false
}

func anyKeyword(words []string, text string) bool {
	for _, w := range words {
		if strings.Contains(text, w) {
			return true
		}
	}
	return false
}

// DetectLanguage is a guess from the script of a message, for rules when the contact
// has no language attribute: Chinese characters make it zh, Latin letters en.
func DetectLanguage(text string) string {
	han, latin := 0, 0
	for _, r := range text {
		switch {
		case r >= 0x4E00 && r <= 0x9FFF, r >= 0x3400 && r <= 0x4DBF:
			han++
		case r < 0x80 && (r|0x20) >= 'a' && (r|0x20) <= 'z':
			latin++
		}
	}
	switch {
	case han > 0 && han*3 >= latin:
		return "zh"
	case latin > 0:
		return "en"
	}
	return ""
}

// Candidate is an agent a queue could give its head to.
type Candidate struct {
	Agent
	Skills []string
	// TeamLastAssignedAt is round robin's clock: the team's, or for the tenant-wide
	// queue the agent's own.
	TeamLastAssignedAt *time.Time
}

// Queued is a conversation waiting in a queue.
type Queued struct {
	TenantID uuid.UUID
	ID       uuid.UUID
	TeamID   *uuid.UUID
	Priority int
	Skills   []string
	QueuedAt time.Time
}

// pick chooses among available candidates by strategy; ok=false when none fits.
func pick(st Strategy, head Queued, cands []Candidate) (uuid.UUID, bool) {
	var best *Candidate
	older := func(a, b *time.Time) int {
		switch {
		case a == nil && b == nil:
			return 0
		case a == nil:
			return -1
		case b == nil:
			return 1
		}
		return a.Compare(*b)
	}
	better := func(c, b *Candidate) bool {
		if st != RoundRobin && c.Load != b.Load {
			return c.Load < b.Load
		}
		if o := older(c.TeamLastAssignedAt, b.TeamLastAssignedAt); o != 0 {
			return o < 0
		}
		if o := older(c.LastAssignedAt, b.LastAssignedAt); o != 0 {
			return o < 0
		}
		return strings.Compare(c.UserID.String(), b.UserID.String()) < 0
	}
	for i := range cands {
		c := &cands[i]
		if !c.Available() {
			continue
		}
		if st == Skills && !hasAll(c.Skills, head.Skills) {
			continue
		}
		if best == nil || better(c, best) {
			best = c
		}
	}
	if best == nil {
		return uuid.Nil, false
	}
	return best.UserID, true
}

func hasAll(have, need []string) bool {
	for _, n := range need {
		if !slices.Contains(have, n) {
			return false
		}
	}
	return true
}

// Assignment is what a successful claim did.
type Assignment struct {
	TenantID       uuid.UUID
	ConversationID uuid.UUID
	AgentID        uuid.UUID
	TeamID         *uuid.UUID
	Waited         time.Duration
}

// Job is a routing trigger carried by the outbox: a conversation entered the queue,
// or an agent's capacity freed.
type Job = conversation.RouteJob

// Logger defaults.
func logger(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.Default()
	}
	return l
}
