package routing

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/kefu-io/kefu/server/internal/conversation"
	"github.com/kefu-io/kefu/server/internal/platform/errs"
	"github.com/kefu-io/kefu/tenants"
)

// Auditor records administrative changes in the tenant's audit log, inside the
// transaction that makes them.
type Auditor interface {
	Record(ctx context.Context, action, targetType, targetID string, data map[string]any) error
}

// AgentView is a tenant member as the console's agent list and the supervisor's live
// view show them. Load and capacity are the person's across every tenant they serve
// (that is what routing counts); Open is how many of this tenant's conversations they
// hold.
type AgentView struct {
	Agent
	Name  string      `json:"name"`
	Email string      `json:"email"`
	Role  string      `json:"role"`
	Teams []uuid.UUID `json:"team_ids"`
	Open  int         `json:"open"`
}

// LiveAgent is an agent in the supervisor's live view: their state and the
// conversations they hold, the first MaxCurrent of them, oldest assignment first,
// for the supervisor to open and watch.
type LiveAgent struct {
	AgentView
	Current []Held `json:"current"`
}

// MaxCurrent bounds LiveAgent.Current; Open says how many there are in all.
const MaxCurrent = 20

// Held is a conversation an agent holds now.
type Held struct {
	ConversationID uuid.UUID  `json:"conversation_id"`
	ContactName    string     `json:"contact_name"`
	Channel        string     `json:"channel"`
	AssignedAt     *time.Time `json:"assigned_at"`
}

// QueueStat is one queue's state now.
type QueueStat struct {
	TeamID   *uuid.UUID `json:"team_id"`
	Waiting  int        `json:"waiting"`
	OldestAt *time.Time `json:"oldest_queued_at"`
	// LongestWait is how long its head has waited, in seconds.
	LongestWait int `json:"longest_wait_seconds"`
}

// WaitingItem is a conversation waiting in a queue, with its place there.
type WaitingItem struct {
	ConversationID uuid.UUID  `json:"conversation_id"`
	TeamID         *uuid.UUID `json:"team_id"`
	Priority       int        `json:"priority"`
	QueuedAt       time.Time  `json:"queued_at"`
	Position       int        `json:"position"`
}

// Overview is a tenant's queues and what waits in them, best first per queue.
type Overview struct {
	Queues []QueueStat   `json:"queues"`
	Items  []WaitingItem `json:"items"`
	Agents []LiveAgent   `json:"agents"`
	// LeftMessages counts unassigned conversations whose customers left a message
	// (they wait in the inbox, outside the live queue).
	LeftMessages int       `json:"left_messages"`
	At           time.Time `json:"at"`
}

// AgentUpdate changes an agent's presence and/or capacity (nil: unchanged).
type AgentUpdate struct {
	Presence        *Presence
	Capacity        *int
	ChannelCapacity *map[string]int
}

// TeamPatch changes some of a team's fields (nil: unchanged).
type TeamPatch struct {
	Name     *string
	Strategy *Strategy
	Settings *TeamSettings
	Members  *[]Member
}

// Admit implements conversation.Capacity: it locks the agent's row for the rest of
// the caller's transaction and refuses when they have no room. Presence is not
// checked: a person may be given a conversation while away, only never beyond their
// capacity.
func (s *Service) Admit(ctx context.Context, userID, channelID uuid.UUID) error {
	a, err := s.Store.LockAgent(ctx, userID)
	if err != nil {
		return err
	}
	if a.Load >= a.Capacity {
		return ErrAtCapacity
	}
	if len(a.ChannelCapacity) == 0 {
		return nil
	}
	kind, err := s.Store.ConnectorOf(ctx, channelID)
	if err != nil {
		return err
	}
	if full, err := s.kindAtCap(ctx, a, kind); err != nil || full {
		if err != nil {
			return err
		}
		return ErrAtCapacity
	}
	return nil
}

// Me is the caller's own routing state.
func (s *Service) Me(ctx context.Context, userID uuid.UUID) (Agent, error) {
	return s.Store.Agent(ctx, userID)
}

func validateUpdate(u AgentUpdate) error {
	if u.Presence != nil && !u.Presence.Valid() {
		return errs.Invalidf("presence", "presence must be online, busy, away or offline.")
	}
	if u.Capacity != nil && (*u.Capacity < 0 || *u.Capacity > MaxCapacity) {
		return errs.Invalidf("capacity", "capacity must be between 0 and %d.", MaxCapacity)
	}
	if u.ChannelCapacity != nil {
		return ValidateChannelCapacity(*u.ChannelCapacity)
	}
	return nil
}

// UpdateMe changes the caller's own presence or capacity; gaining room (coming
// online, a larger capacity) drains the queues of every tenant they serve at once.
func (s *Service) UpdateMe(ctx context.Context, userID uuid.UUID, u AgentUpdate) (Agent, error) {
	if err := validateUpdate(u); err != nil {
		return Agent{}, err
	}
	return s.applyUpdate(ctx, userID, u)
}

func (s *Service) applyUpdate(ctx context.Context, userID uuid.UUID, u AgentUpdate) (Agent, error) {
	var a Agent
	var err error
	if u.Capacity != nil {
		if a, err = s.Store.SetCapacity(ctx, userID, *u.Capacity, s.now()); err != nil {
			return Agent{}, err
		}
	}
	if u.ChannelCapacity != nil {
		if a, err = s.Store.SetChannelCapacity(ctx, userID, *u.ChannelCapacity, s.now()); err != nil {
			return Agent{}, err
		}
	}
	if u.Presence != nil {
		if a, err = s.Store.SetPresence(ctx, userID, *u.Presence, false, s.now()); err != nil {
			return Agent{}, err
		}
	}
	if u.Capacity == nil && u.Presence == nil && u.ChannelCapacity == nil {
		return s.Store.Agent(ctx, userID)
	}
	s.broadcast(ctx, a)
	s.offer(ctx, a)
	return a, nil
}

// AutoPresence is the system's presence change for an agent whose last console
// closed (away) or who came back (online). It never overrides the agent's own choice:
// only online turns away, and only an away the system set turns online.
func (s *Service) AutoPresence(ctx context.Context, userID uuid.UUID, p Presence) (Agent, bool, error) {
	before, err := s.Store.Agent(ctx, userID)
	if err != nil {
		return Agent{}, false, err
	}
	a, err := s.Store.SetPresence(ctx, userID, p, true, s.now())
	if err != nil {
		return Agent{}, false, err
	}
	changed := a.Presence != before.Presence
	if changed {
		s.broadcast(ctx, a)
		s.offer(ctx, a)
	}
	return a, changed, nil
}

// Consoles is where agents' consoles show signs of life (realtime.Hub).
type Consoles interface {
	ConsolesSilentSince(ctx context.Context, t time.Time, limit int) ([]uuid.UUID, error)
	ConsoleForget(ctx context.Context, userID uuid.UUID, t time.Time) (bool, error)
	ConsoleLive(ctx context.Context, userID uuid.UUID) (bool, error)
}

// AwayWhenGone turns away every online agent whose consoles have all been silent for
// the grace period. A console that comes back in the middle is caught by the
// re-check after the change (its own reconnect may have run before it).
func (s *Service) AwayWhenGone(ctx context.Context, cs Consoles, grace time.Duration) error {
	before := s.now().Add(-grace)
	ids, err := cs.ConsolesSilentSince(ctx, before, 500)
	if err != nil {
		return err
	}
	for _, id := range ids {
		mine, err := cs.ConsoleForget(ctx, id, before)
		if err != nil {
			return err
		}
		if !mine {
			continue
		}
		// One person's failure (say, a user deleted meanwhile) must not hold up the
		// others: log it and go on.
		if _, _, err := s.AutoPresence(ctx, id, Away); err != nil {
			s.log().Warn("routing: could not set an agent away", "user_id", id, "err", err)
			continue
		}
		if back, err := cs.ConsoleLive(ctx, id); err == nil && back {
			if _, _, err := s.AutoPresence(ctx, id, Online); err != nil {
				s.log().Warn("routing: could not set an agent back online", "user_id", id, "err", err)
			}
		}
	}
	return nil
}

// broadcast tells the consoles of every tenant the agent serves their new state (the
// live queue view). Best effort: the view also refreshes on its own.
func (s *Service) broadcast(ctx context.Context, a Agent) {
	if s.Publisher == nil {
		return
	}
	ids, err := s.Store.TenantsOf(context.WithoutCancel(ctx), a.UserID)
	if err != nil {
		return
	}
	data, _ := json.Marshal(a)
	for _, tid := range ids {
		b, _ := json.Marshal(conversation.Event{Type: conversation.EventAgentUpdated, TenantID: tid, UserID: &a.UserID, Data: data})
		_ = s.Publisher.PublishRaw(context.WithoutCancel(ctx), tid, [][]byte{b})
	}
}

// offer gives an agent with room the queues' waiting conversations. The change that
// made room is already committed, so a failure here is only logged: the sweep serves
// those queues again within seconds.
func (s *Service) offer(ctx context.Context, a Agent) {
	if !a.Available() {
		return
	}
	if err := s.AgentFreed(context.WithoutCancel(ctx), a.UserID); err != nil {
		s.log().Warn("routing: could not offer queued conversations to an agent", "user_id", a.UserID, "err", err)
	}
}

// Agents lists the tenant's members with their routing state.
func (s *Service) Agents(ctx context.Context) ([]AgentView, error) {
	return s.Store.Roster(ctx)
}

// UpdateAgent is a tenant admin changing a member's presence (e.g. signing off
// someone who left without doing so) or capacity. Both are the person's, shared by
// every tenant they serve; the change is audited in this tenant.
func (s *Service) UpdateAgent(ctx context.Context, userID uuid.UUID, u AgentUpdate) (AgentView, error) {
	if err := validateUpdate(u); err != nil {
		return AgentView{}, err
	}
	ok, err := s.Store.IsMember(ctx, userID)
	if err != nil {
		return AgentView{}, err
	}
	if !ok {
		return AgentView{}, ErrAgentNotFound
	}
	data := map[string]any{"user_id": userID}
	if u.Presence != nil {
		data["presence"] = *u.Presence
	}
	if u.Capacity != nil {
		data["capacity"] = *u.Capacity
	}
	if u.ChannelCapacity != nil {
		data["channel_capacity"] = *u.ChannelCapacity
	}
	if _, err := s.applyUpdate(ctx, userID, u); err != nil {
		return AgentView{}, err
	}
	if s.Audit != nil {
		if err := s.Audit.Record(ctx, "agent.updated", "user", userID.String(), data); err != nil {
			return AgentView{}, err
		}
	}
	return s.agentView(ctx, userID)
}

func (s *Service) agentView(ctx context.Context, userID uuid.UUID) (AgentView, error) {
	vs, err := s.Store.Roster(ctx)
	if err != nil {
		return AgentView{}, err
	}
	for _, v := range vs {
		if v.UserID == userID {
			return v, nil
		}
	}
	return AgentView{}, ErrAgentNotFound
}

// ---- teams ------------------------------------------------------------------------

// Teams lists the tenant's teams by name.
func (s *Service) Teams(ctx context.Context) ([]Team, error) { return s.Store.Teams(ctx) }

// Team returns one team.
func (s *Service) Team(ctx context.Context, id uuid.UUID) (Team, error) { return s.Store.Team(ctx, id) }

// checkTeam validates a team against the tenant: its members are members, and the
// team it overflows into exists.
func (s *Service) checkTeam(ctx context.Context, t *Team) error {
	if err := ValidateTeam(t); err != nil {
		return err
	}
	ms, err := ValidateMembers(t.Members)
	if err != nil {
		return err
	}
	t.Members = ms
	if len(ms) > 0 {
		all, err := s.Store.Members(ctx)
		if err != nil {
			return err
		}
		in := make(map[uuid.UUID]bool, len(all))
		for _, a := range all {
			in[a.UserID] = true
		}
		for _, m := range ms {
			if !in[m.UserID] {
				return ErrNotMember.WithField("members")
			}
		}
	}
	if o := t.Settings.OverflowTeamID; o != nil {
		if _, err := s.Store.Team(ctx, *o); err != nil {
			return errs.Invalidf("settings.overflow_team_id", "overflow_team_id names no team of this tenant.")
		}
	}
	return nil
}

// CreateTeam adds a team.
func (s *Service) CreateTeam(ctx context.Context, t Team) (Team, error) {
	now := s.now()
	t.ID, t.CreatedAt, t.UpdatedAt = uuid.Must(uuid.NewV7()), now, now
	if t.Members == nil {
		t.Members = []Member{}
	}
	if err := s.checkTeam(ctx, &t); err != nil {
		return Team{}, err
	}
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.Store.CreateTeam(ctx, &t); err != nil {
			return err
		}
		return s.record(ctx, "team.created", t.ID, map[string]any{"name": t.Name, "strategy": t.Strategy, "members": len(t.Members)})
	})
	if err != nil {
		return Team{}, err
	}
	return s.Store.Team(ctx, t.ID)
}

// UpdateTeam changes a team; new members start taking its waiting conversations at
// once.
func (s *Service) UpdateTeam(ctx context.Context, id uuid.UUID, p TeamPatch) (Team, error) {
	t, err := s.Store.Team(ctx, id)
	if err != nil {
		return Team{}, err
	}
	if p.Name != nil {
		t.Name = *p.Name
	}
	if p.Strategy != nil {
		t.Strategy = *p.Strategy
	}
	if p.Settings != nil {
		t.Settings = *p.Settings
	}
	if p.Members != nil {
		t.Members = *p.Members
	}
	if err := s.checkTeam(ctx, &t); err != nil {
		return Team{}, err
	}
	t.UpdatedAt = s.now()
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.Store.UpdateTeam(ctx, &t); err != nil {
			return err
		}
		return s.record(ctx, "team.updated", t.ID, map[string]any{"name": t.Name, "strategy": t.Strategy, "members": len(t.Members)})
	})
	if err != nil {
		return Team{}, err
	}
	s.serve(ctx, &t.ID)
	return s.Store.Team(ctx, id)
}

// DeleteTeam removes a team; its waiting conversations join the tenant's queue, and
// rules naming it fall through to the default (classify ignores a missing team).
func (s *Service) DeleteTeam(ctx context.Context, id uuid.UUID) error {
	t, err := s.Store.Team(ctx, id)
	if err != nil {
		return err
	}
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.Store.DeleteTeam(ctx, id); err != nil {
			return err
		}
		return s.record(ctx, "team.deleted", id, map[string]any{"name": t.Name})
	})
	if err != nil {
		return err
	}
	s.serve(ctx, nil)
	return nil
}

// serve drains one queue after an admin change; errors only delay to the sweep.
func (s *Service) serve(ctx context.Context, team *uuid.UUID) {
	if _, err := s.drain(context.WithoutCancel(ctx), team); err != nil {
		s.log().Warn("routing: could not serve a queue after a change", "err", err)
	}
}

func (s *Service) record(ctx context.Context, action string, id uuid.UUID, data map[string]any) error {
	if s.Audit == nil {
		return nil
	}
	return s.Audit.Record(ctx, action, "team", id.String(), data)
}

// ---- settings -----------------------------------------------------------------------

// Settings returns the tenant's routing settings.
func (s *Service) Settings(ctx context.Context) (Settings, error) { return s.Store.Settings(ctx) }

// PutSettings validates and replaces the tenant's routing settings. Every team they
// name must exist.
func (s *Service) PutSettings(ctx context.Context, set Settings) (Settings, error) {
	if err := ValidateSettings(&set); err != nil {
		return Settings{}, err
	}
	teams, err := s.Store.Teams(ctx)
	if err != nil {
		return Settings{}, err
	}
	known := make(map[uuid.UUID]bool, len(teams))
	for _, t := range teams {
		known[t.ID] = true
	}
	if set.DefaultTeamID != nil && !known[*set.DefaultTeamID] {
		return Settings{}, errs.Invalidf("default_team_id", "default_team_id names no team of this tenant.")
	}
	for i, r := range set.Rules {
		if r.TeamID != nil && !known[*r.TeamID] {
			return Settings{}, errs.Invalidf("rules["+strconv.Itoa(i)+"].team_id", "team_id names no team of this tenant.")
		}
	}
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.Store.PutSettings(ctx, set, s.now()); err != nil {
			return err
		}
		if s.Audit == nil {
			return nil
		}
		tid, _ := tenants.Require(ctx)
		return s.Audit.Record(ctx, "routing.settings_updated", "tenant", tid.String(), map[string]any{"rules": len(set.Rules)})
	})
	if err != nil {
		return Settings{}, err
	}
	return s.Store.Settings(ctx)
}

// ---- the live view ------------------------------------------------------------------

// MaxOverviewItems bounds the waiting conversations one overview lists.
const MaxOverviewItems = 500

// Overview is the tenant's queues now: per queue how many wait and for how long, the
// waiting conversations with their places, and every agent's state.
func (s *Service) Overview(ctx context.Context) (Overview, error) {
	now := s.now()
	stats, err := s.Store.QueueStats(ctx)
	if err != nil {
		return Overview{}, err
	}
	for i := range stats {
		if stats[i].OldestAt != nil {
			stats[i].LongestWait = int(now.Sub(*stats[i].OldestAt) / time.Second)
		}
	}
	qs, err := s.Store.Waiting(ctx, MaxOverviewItems)
	if err != nil {
		return Overview{}, err
	}
	pos := map[uuid.UUID]int{}
	items := make([]WaitingItem, len(qs))
	for i, q := range qs {
		var k uuid.UUID
		if q.TeamID != nil {
			k = *q.TeamID
		}
		pos[k]++
		items[i] = WaitingItem{ConversationID: q.ID, TeamID: q.TeamID, Priority: q.Priority, QueuedAt: q.QueuedAt, Position: pos[k]}
	}
	roster, err := s.Store.Roster(ctx)
	if err != nil {
		return Overview{}, err
	}
	held, err := s.Store.Held(ctx)
	if err != nil {
		return Overview{}, err
	}
	agents := make([]LiveAgent, len(roster))
	for i, v := range roster {
		agents[i] = LiveAgent{AgentView: v, Current: held[v.UserID]}
		if agents[i].Current == nil {
			agents[i].Current = []Held{}
		}
	}
	left, err := s.Store.LeftMessages(ctx)
	if err != nil {
		return Overview{}, err
	}
	return Overview{Queues: stats, Items: items, Agents: agents, LeftMessages: left, At: now}, nil
}

// MoveToTeam points a conversation at a team's queue (a transfer to a team); the
// caller then unassigns it, and Route serves that queue.
func (s *Service) MoveToTeam(ctx context.Context, conversationID, teamID uuid.UUID) error {
	if _, err := s.Store.Team(ctx, teamID); err != nil {
		return err
	}
	c, err := s.Conversations.GetConversation(ctx, conversationID)
	if err != nil {
		return err
	}
	if !c.Status.Active() {
		return conversation.ErrClosed
	}
	return s.Store.SetTeam(ctx, conversationID, teamID, s.now())
}

// WrapUp is the tenant's wrap-up settings.
func (s *Service) WrapUp(ctx context.Context) (WrapUp, error) {
	set, err := s.Store.Settings(ctx)
	return set.WrapUp, err
}
