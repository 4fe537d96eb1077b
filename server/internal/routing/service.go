package routing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/kefu-io/kefu/server/internal/conversation"
	"github.com/kefu-io/kefu/server/internal/hours"
	"github.com/kefu-io/kefu/tenants"
)

// Store persists routing state. Tenant methods run in the tenant scope of ctx (joining
// the caller's transaction); agent methods are global.
type Store interface {
	Agent(ctx context.Context, userID uuid.UUID) (Agent, error)
	// LockAgent returns the agent's row locked until the transaction ends.
	LockAgent(ctx context.Context, userID uuid.UUID) (Agent, error)
	SetPresence(ctx context.Context, userID uuid.UUID, p Presence, auto bool, at time.Time) (Agent, error)
	SetCapacity(ctx context.Context, userID uuid.UUID, n int, at time.Time) (Agent, error)
	SetChannelCapacity(ctx context.Context, userID uuid.UUID, caps map[string]int, at time.Time) (Agent, error)
	// KindLoad counts the agent's open or pending conversations on channels of one
	// connector, in every tenant.
	KindLoad(ctx context.Context, userID uuid.UUID, connector string) (int, error)
	// ConnectorOf is a channel's connector; ChannelOf a conversation's channel.
	ConnectorOf(ctx context.Context, channelID uuid.UUID) (string, error)
	ChannelOf(ctx context.Context, conversationID uuid.UUID) (uuid.UUID, error)
	// Members lists the tenant's members with their routing state.
	Members(ctx context.Context) ([]Agent, error)
	IsMember(ctx context.Context, userID uuid.UUID) (bool, error)

	Teams(ctx context.Context) ([]Team, error)
	Team(ctx context.Context, id uuid.UUID) (Team, error)
	CreateTeam(ctx context.Context, t *Team) error
	UpdateTeam(ctx context.Context, t *Team) error
	DeleteTeam(ctx context.Context, id uuid.UUID) error
	Settings(ctx context.Context) (Settings, error)
	PutSettings(ctx context.Context, s Settings, at time.Time) error

	// LockQueue serialises assignment from one queue (a team's, or with nil the
	// tenant's queue of conversations without a team).
	LockQueue(ctx context.Context, teamID *uuid.UUID) error
	// Heads are the queue's first n classified waiting conversations, best first.
	Heads(ctx context.Context, teamID *uuid.UUID, n int) ([]Queued, error)
	// Candidates are the queue's agents (team members, or every member for nil).
	Candidates(ctx context.Context, teamID *uuid.UUID) ([]Candidate, error)
	// Take assigns a conversation still waiting; false if it no longer is.
	Take(ctx context.Context, conversationID, agentID uuid.UUID, teamID *uuid.UUID, at time.Time) (bool, error)
	// Classify stores the team, priority and skills routing chose.
	Classify(ctx context.Context, conversationID uuid.UUID, teamID *uuid.UUID, priority int, skills []string, at time.Time) error
	// Position is 1 + how many classified conversations are ahead in the queue.
	Position(ctx context.Context, q Queued) (int, error)
	// Served counts the queue's assignments since a time (its recent pace).
	Served(ctx context.Context, teamID *uuid.UUID, since time.Time) (int, error)
	FirstInboundText(ctx context.Context, conversationID uuid.UUID) (string, error)

	// AgentQueueHeads lists, across the tenants the agent belongs to, the best
	// waiting conversations they could be given (ids only).
	AgentQueueHeads(ctx context.Context, userID uuid.UUID, limit int) ([]Queued, error)
	// Roster lists the tenant's members with their routing state, names, role, teams
	// and how many of the tenant's conversations they hold.
	Roster(ctx context.Context) ([]AgentView, error)
	// Held lists, per agent, the first MaxCurrent open or pending conversations of
	// the tenant they hold, oldest assignment first.
	Held(ctx context.Context) (map[uuid.UUID][]Held, error)
	// LeaveMessage takes a waiting conversation out of the live queue as a left
	// message; false if it no longer waits.
	LeaveMessage(ctx context.Context, conversationID uuid.UUID, at time.Time) (bool, error)
	// LeaveOverdue does that to every conversation of a queue waiting since before,
	// returning their ids.
	LeaveOverdue(ctx context.Context, teamID *uuid.UUID, before, at time.Time) ([]uuid.UUID, error)
	// MoveOverdue moves a team's conversations waiting since before, and not moved
	// before in this queue entry, to another team, keeping their place in time.
	MoveOverdue(ctx context.Context, from, to uuid.UUID, before, at time.Time) (int, error)
	// SetTeam moves a conversation to a team's queue (a transfer); it counts as
	// classified from then on.
	SetTeam(ctx context.Context, conversationID, teamID uuid.UUID, at time.Time) error
	// TenantsOf lists the active tenants a user is a member of.
	TenantsOf(ctx context.Context, userID uuid.UUID) ([]uuid.UUID, error)
	// LeftMessages counts the tenant's unassigned left messages.
	LeftMessages(ctx context.Context) (int, error)
	// QueueStats counts each of the tenant's non-empty queues.
	QueueStats(ctx context.Context) ([]QueueStat, error)
	// Waiting lists the tenant's waiting conversations, per queue best first.
	Waiting(ctx context.Context, limit int) ([]Queued, error)
	// WaitingIn lists one queue's waiting conversations, best first.
	WaitingIn(ctx context.Context, teamID *uuid.UUID, limit int) ([]Queued, error)

	// WaitingQueues lists every queue, in any tenant, with a classified conversation
	// waiting.
	WaitingQueues(ctx context.Context, limit int) ([]Queued, error)
}

// Conversations is what routing reads and writes of the conversation engine, inside
// its transactions.
type Conversations interface {
	GetConversation(ctx context.Context, id uuid.UUID) (conversation.Conversation, error)
	GetContact(ctx context.Context, id uuid.UUID) (conversation.Contact, error)
	AddOutbox(ctx context.Context, e ...conversation.OutboxEntry) error
}

// Replier sends the customer the queue message.
type Replier interface {
	Reply(ctx context.Context, conversationID uuid.UUID, r conversation.Reply) (conversation.Message, error)
}

// Publisher streams ephemeral events (not stored) of one tenant, encoded, to
// realtime subscribers in one round trip (realtime.Hub).
type Publisher interface {
	PublishRaw(ctx context.Context, tenantID uuid.UUID, payloads [][]byte) error
}

// Tx runs a function in one transaction.
type Tx interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// Service is the routing engine.
type Service struct {
	Store         Store
	Tx            Tx
	Conversations Conversations
	Waker         conversation.Waker
	Replier       Replier
	// MayServe reports whether a member may be given conversations of the tenant
	// without a team (their role lets them reply). Nil: every member.
	MayServe func(ctx context.Context, tenantID, userID uuid.UUID) bool
	// Locale is the tenant's locale, for the default queue message.
	Locale func(ctx context.Context, tenantID uuid.UUID) string
	// Publisher, when set, streams queue positions to waiting customers' widgets.
	Publisher Publisher
	// Audit, when set, records admins' changes to teams, settings and agents.
	Audit Auditor
	// Assigned, when set, hears of every assignment (metrics, benchmarks).
	Assigned func(Assignment)
	Logger   *slog.Logger
	Now      func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// maxHeads is how deep into a queue one assignment looks past conversations no
// available agent can take.
const maxHeads = 20

// maxDrain bounds the assignments one drain makes, so a huge backlog is served in
// slices that other work can interleave with.
const maxDrain = 500

// Handle runs an outbox routing job.
func (s *Service) Handle(ctx context.Context, j Job) error {
	ctx = tenants.NewContext(ctx, j.TenantID)
	if j.ConversationID != nil {
		if err := s.Route(ctx, *j.ConversationID); err != nil {
			return err
		}
	}
	if j.AgentID != nil {
		return s.AgentFreed(context.WithoutCancel(ctx), *j.AgentID)
	}
	return nil
}

// Route classifies a queued conversation (once), serves its queue, and tells the
// customer their place when it still waits.
func (s *Service) Route(ctx context.Context, id uuid.UUID) error {
	c, err := s.Conversations.GetConversation(ctx, id)
	if errors.Is(err, conversation.ErrConversationNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if c.Status != conversation.StatusQueued || c.AssigneeID != nil {
		return nil
	}
	if c.RoutedAt == nil {
		if err := s.classify(ctx, &c); err != nil {
			return err
		}
	}
	if c.LastAssigneeID != nil {
		// A reopened conversation goes back to the agent who had it, when they are
		// online with room; otherwise it queues like any other.
		if ok, err := s.giveBack(ctx, c, *c.LastAssigneeID); err != nil || ok {
			return err
		}
	}
	if _, err := s.drain(ctx, c.TeamID); err != nil {
		return err
	}
	return s.tellWaiting(ctx, id)
}

// classify picks the conversation's team, priority and skills from the rules.
func (s *Service) classify(ctx context.Context, c *conversation.Conversation) error {
	set, err := s.Store.Settings(ctx)
	if err != nil {
		return err
	}
	f := Facts{ChannelID: c.ChannelID}
	if ct, err := s.Conversations.GetContact(ctx, c.ContactID); err == nil {
		f.Department = ct.Attributes["department"]
		f.Language = ct.Attributes["language"]
		f.Tags = ct.Tags
	}
	if f.FirstText, err = s.Store.FirstInboundText(ctx, c.ID); err != nil {
		return err
	}
	if f.Language == "" {
		f.Language = DetectLanguage(f.FirstText)
	}
	team, prio, skills := set.DefaultTeamID, 0, []string{}
	if r := set.Match(f); r != nil {
		if r.TeamID != nil {
			team = r.TeamID
		}
		prio, skills = r.Priority, r.Skills
	}
	if team != nil {
		if _, err := s.Store.Team(ctx, *team); err != nil {
			// A rule naming a deleted team must not strand the conversation.
			team = nil
		}
	}
	if err := s.Store.Classify(ctx, c.ID, team, prio, skills, s.now()); err != nil {
		return err
	}
	c.TeamID, c.Priority = team, prio
	return nil
}

// drain assigns the queue's waiting conversations, best first, while its agents have
// room.
func (s *Service) drain(ctx context.Context, team *uuid.UUID) (int, error) {
	strategy := RoundRobin
	if team != nil {
		t, err := s.Store.Team(ctx, *team)
		if err != nil {
			return 0, err
		}
		strategy = t.Strategy
	}
	n := 0
	defer func() {
		if n > 0 {
			s.publishPositions(ctx, team)
		}
	}()
	for n < maxDrain {
		ok, err := s.assignOne(ctx, team, strategy)
		if err != nil {
			return n, err
		}
		if !ok {
			return n, nil
		}
		n++
	}
	return n, nil
}

// maxPositionUpdates bounds the customers told their new place after a queue moved:
// those further back see their place when they reach this depth.
const maxPositionUpdates = 100

// publishPositions tells the customers still waiting in a queue that moved their new
// places. Events are best effort: the widget also learns its place when it starts
// waiting, and the next move corrects a lost one.
func (s *Service) publishPositions(ctx context.Context, team *uuid.UUID) {
	if s.Publisher == nil {
		return
	}
	qs, err := s.Store.WaitingIn(ctx, team, maxPositionUpdates)
	if err != nil || len(qs) == 0 {
		return
	}
	per, err := s.pace(ctx, team)
	if err != nil {
		return
	}
	payloads := make([][]byte, 0, len(qs))
	for i, q := range qs {
		payloads = append(payloads, positionEvent(q, i+1, per))
	}
	_ = s.Publisher.PublishRaw(ctx, qs[0].TenantID, payloads)
}

func (s *Service) publishPosition(ctx context.Context, q Queued, pos int, per time.Duration) {
	_ = s.Publisher.PublishRaw(ctx, q.TenantID, [][]byte{positionEvent(q, pos, per)})
}

func positionEvent(q Queued, pos int, per time.Duration) []byte {
	b, _ := json.Marshal(conversation.Event{Type: conversation.EventQueuePosition, TenantID: q.TenantID,
		ConversationID: q.ID, Position: pos, WaitSeconds: int(time.Duration(pos) * per / time.Second)})
	return b
}

// assignOne gives the queue's head to the agent the team's strategy picks, in one
// transaction holding the queue's lock and then the agent's.
func (s *Service) assignOne(ctx context.Context, team *uuid.UUID, strategy Strategy) (bool, error) {
	tid, err := tenants.Require(ctx)
	if err != nil {
		return false, err
	}
	var done *Assignment
	var woke []conversation.OutboxEntry
	err = s.retry(ctx, func(ctx context.Context) error {
		done, woke = nil, nil
		if err := s.Store.LockQueue(ctx, team); err != nil {
			return err
		}
		heads, err := s.Store.Heads(ctx, team, maxHeads)
		if err != nil || len(heads) == 0 {
			return err
		}
		cands, err := s.Store.Candidates(ctx, team)
		if err != nil {
			return err
		}
		if team == nil && s.MayServe != nil {
			kept := cands[:0]
			for _, c := range cands {
				if c.Available() && s.MayServe(ctx, tid, c.UserID) {
					kept = append(kept, c)
				}
			}
			cands = kept
		}
		// The best waiting conversation goes first. Only when no available agent can
		// take it (skills nobody online has, a channel type everyone has capped) does
		// the next one get its turn, so one such conversation cannot block the queue.
		for _, head := range heads {
			kind := "" // the head's connector, read once when some candidate caps one
			tried := slices.Clone(cands)
			for len(tried) > 0 {
				uid, ok := pick(strategy, head, tried)
				if !ok {
					break
				}
				// The candidates were read before this lock: another tenant's queue
				// may have filled the agent since. Re-read under the lock.
				a, err := s.Store.LockAgent(ctx, uid)
				if err != nil {
					return err
				}
				if !a.Available() {
					cands, tried = drop(cands, uid), drop(tried, uid)
					continue
				}
				full, err := s.kindFull(ctx, a, head.ID, &kind)
				if err != nil {
					return err
				}
				if full {
					tried = drop(tried, uid)
					continue
				}
				done, woke, err = s.claim(ctx, tid, head.ID, uid, team)
				return err
			}
			if len(cands) == 0 {
				return nil
			}
		}
		return nil
	})
	return s.announce(tid, done, woke, err)
}

// kindFull reports whether an agent (whose row the transaction holds) has reached
// their cap for the conversation's channel type; *kind caches the connector.
func (s *Service) kindFull(ctx context.Context, a Agent, conversationID uuid.UUID, kind *string) (bool, error) {
	if len(a.ChannelCapacity) == 0 {
		return false, nil
	}
	if *kind == "" {
		ch, err := s.Store.ChannelOf(ctx, conversationID)
		if err != nil {
			return false, err
		}
		if *kind, err = s.Store.ConnectorOf(ctx, ch); err != nil {
			return false, err
		}
	}
	return s.kindAtCap(ctx, a, *kind)
}

func (s *Service) kindAtCap(ctx context.Context, a Agent, connector string) (bool, error) {
	limit, ok := a.ChannelCapacity[connector]
	if !ok {
		return false, nil
	}
	n, err := s.Store.KindLoad(ctx, a.UserID, connector)
	return n >= limit, err
}

// claim gives a still-waiting conversation to an agent whose row the transaction
// holds, and writes the conversation event in the same transaction; nil when it no
// longer waits.
func (s *Service) claim(ctx context.Context, tid, id, agent uuid.UUID, team *uuid.UUID) (*Assignment, []conversation.OutboxEntry, error) {
	now := s.now()
	took, err := s.Store.Take(ctx, id, agent, team, now)
	if err != nil || !took {
		return nil, nil, err
	}
	c, err := s.Conversations.GetConversation(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	e := conversation.EventEntry(conversation.Event{Type: conversation.EventConversationUpdated, TenantID: tid,
		ConversationID: c.ID, Conversation: &c}, now)
	if err := s.Conversations.AddOutbox(ctx, e); err != nil {
		return nil, nil, err
	}
	var waited time.Duration
	if c.QueuedAt != nil {
		waited = now.Sub(*c.QueuedAt)
	}
	return &Assignment{TenantID: tid, ConversationID: id, AgentID: agent, TeamID: team, Waited: waited},
		[]conversation.OutboxEntry{e}, nil
}

// announce wakes the outbox and the observer after a committed claim.
func (s *Service) announce(tid uuid.UUID, done *Assignment, woke []conversation.OutboxEntry, err error) (bool, error) {
	if err != nil || done == nil {
		return false, err
	}
	if s.Waker != nil {
		s.Waker.Wake(tid, woke...)
	}
	if s.Publisher != nil {
		// Position 0: the wait is over (the widget hides its place in the queue).
		s.publishPosition(context.Background(), Queued{TenantID: tid, ID: done.ConversationID}, 0, 0)
	}
	if s.Assigned != nil {
		s.Assigned(*done)
	}
	return true, nil
}

// giveBack assigns a waiting conversation to one agent if they are still a member
// who may serve, online and with room, under the same locks as assignOne.
func (s *Service) giveBack(ctx context.Context, c conversation.Conversation, agent uuid.UUID) (bool, error) {
	tid, err := tenants.Require(ctx)
	if err != nil {
		return false, err
	}
	if ok, err := s.Store.IsMember(ctx, agent); err != nil || !ok {
		return false, err
	}
	if s.MayServe != nil && !s.MayServe(ctx, tid, agent) {
		return false, nil
	}
	var done *Assignment
	var woke []conversation.OutboxEntry
	err = s.retry(ctx, func(ctx context.Context) error {
		done, woke = nil, nil
		if err := s.Store.LockQueue(ctx, c.TeamID); err != nil {
			return err
		}
		a, err := s.Store.LockAgent(ctx, agent)
		if err != nil || !a.Available() {
			return err
		}
		kind := ""
		if full, err := s.kindFull(ctx, a, c.ID, &kind); err != nil || full {
			return err
		}
		done, woke, err = s.claim(ctx, tid, c.ID, agent, c.TeamID)
		return err
	})
	return s.announce(tid, done, woke, err)
}

func drop(cs []Candidate, id uuid.UUID) []Candidate {
	out := make([]Candidate, 0, len(cs))
	for _, c := range cs {
		if c.UserID != id {
			out = append(out, c)
		}
	}
	return out
}

// retry runs fn in a transaction, again when PostgreSQL chose it as a deadlock victim
// or it lost a serialisation race (two transfers in opposite directions lock two
// agents in opposite orders).
func (s *Service) retry(ctx context.Context, fn func(ctx context.Context) error) error {
	var err error
	for i := 0; i < 5; i++ {
		err = s.Tx.InTx(ctx, fn)
		if err == nil || !retryable(err) {
			return err
		}
		time.Sleep(time.Duration(i+1) * 5 * time.Millisecond)
	}
	return err
}

func retryable(err error) bool {
	msg := err.Error()
	return errors.Is(err, errLockContention) || strings.Contains(msg, "40P01") || strings.Contains(msg, "40001") ||
		strings.Contains(msg, "deadlock detected") || strings.Contains(msg, "SQLITE_BUSY") || strings.Contains(msg, "database is locked")
}

// AgentFreed offers an agent whose load fell (or who came online) the best waiting
// conversations of every tenant they serve, until they are full.
func (s *Service) AgentFreed(ctx context.Context, userID uuid.UUID) error {
	all := tenants.AcrossTenants(context.WithoutCancel(ctx), "routing: an agent's queues across tenants")
	for round := 0; round < 10; round++ {
		a, err := s.Store.Agent(all, userID)
		if err != nil || !a.Available() {
			return err
		}
		heads, err := s.Store.AgentQueueHeads(all, userID, 20)
		if err != nil || len(heads) == 0 {
			return err
		}
		// The heads are best first and often share a queue: serve each queue once,
		// in that order, and stop as soon as the agent is full.
		served := 0
		seen := map[[2]uuid.UUID]bool{}
		for _, h := range heads {
			k := [2]uuid.UUID{h.TenantID}
			if h.TeamID != nil {
				k[1] = *h.TeamID
			}
			if seen[k] {
				continue
			}
			seen[k] = true
			n, err := s.drain(tenants.NewContext(all, h.TenantID), h.TeamID)
			if err != nil {
				return err
			}
			served += n
			if n > 0 {
				if a, err := s.Store.Agent(all, userID); err != nil || !a.Available() {
					return err
				}
			}
		}
		if served == 0 {
			return nil
		}
	}
	return nil
}

// Sweep serves every queue that has someone waiting. Each node runs it every few
// seconds: it is what makes a lost trigger (a crash between commit and the outbox
// effect) only a delay, and it is cheap when queues are empty.
func (s *Service) Sweep(ctx context.Context) error {
	all := tenants.AcrossTenants(ctx, "routing: sweep every waiting queue")
	qs, err := s.Store.WaitingQueues(all, 1000)
	if err != nil {
		return err
	}
	for _, q := range qs {
		ctx := tenants.NewContext(all, q.TenantID)
		if _, err := s.drain(ctx, q.TeamID); err != nil {
			s.log().Warn("routing: sweep could not serve a queue", "tenant_id", q.TenantID, "err", err)
			continue
		}
		if err := s.overflow(ctx, q.TeamID); err != nil {
			s.log().Warn("routing: sweep could not overflow a queue", "tenant_id", q.TenantID, "err", err)
		}
	}
	return nil
}

func (s *Service) log() *slog.Logger { return logger(s.Logger) }

// tellWaiting tells the customer of a conversation that still waits where they
// stand, once per time it entered the queue: outside business hours the tenant's
// outside-hours message (and, if the tenant says so, the conversation becomes a left
// message), otherwise their place in the queue and an estimate.
func (s *Service) tellWaiting(ctx context.Context, id uuid.UUID) error {
	c, err := s.Conversations.GetConversation(ctx, id)
	if err != nil || c.Status != conversation.StatusQueued || c.AssigneeID != nil || c.QueuedAt == nil {
		return err
	}
	set, err := s.Store.Settings(ctx)
	if err != nil {
		return err
	}
	locale := s.locale(ctx, c.TenantID)
	entry := strconv.FormatInt(c.QueuedAt.UnixMilli(), 10)
	cal, err := s.calendar(ctx, set, c.TeamID)
	if err != nil {
		return err
	}
	if now := s.now(); !cal.IsOpen(now) {
		if set.OutsideHours == OutsideLeaveMessage {
			if _, err := s.Store.LeaveMessage(ctx, id, now); err != nil {
				return err
			}
		}
		text := suggested(set.OutsideHoursMessage, SuggestedOutsideHoursMessage, suggestedOutsideHoursMessageZH, locale)
		text = strings.ReplaceAll(text, "{next_open}", nextOpenText(cal, now, locale))
		return s.say(ctx, id, text, "hours:"+entry)
	}
	q := Queued{TenantID: c.TenantID, ID: c.ID, TeamID: c.TeamID, Priority: c.Priority, QueuedAt: *c.QueuedAt}
	pos, err := s.Store.Position(ctx, q)
	if err != nil {
		return err
	}
	per, err := s.pace(ctx, c.TeamID)
	if err != nil {
		return err
	}
	if s.Publisher != nil {
		s.publishPosition(ctx, q, pos, per)
	}
	wait := time.Duration(pos) * per
	text := suggested(set.QueueMessage, SuggestedQueueMessage, suggestedQueueMessageZH, locale)
	if text == "" {
		return nil
	}
	text = strings.ReplaceAll(text, "{position}", strconv.Itoa(pos))
	text = strings.ReplaceAll(text, "{wait}", waitText(wait, locale))
	return s.say(ctx, id, text, "queue:"+entry)
}

// Position is a waiting conversation's place in its queue and the estimated wait;
// ok is false when it does not wait in the live queue.
func (s *Service) Position(ctx context.Context, id uuid.UUID) (pos int, wait time.Duration, ok bool, err error) {
	c, err := s.Conversations.GetConversation(ctx, id)
	if err != nil || c.Status != conversation.StatusQueued || c.AssigneeID != nil || c.QueuedAt == nil ||
		c.RoutedAt == nil || c.LeftMessageAt != nil {
		return 0, 0, false, err
	}
	q := Queued{TenantID: c.TenantID, ID: c.ID, TeamID: c.TeamID, Priority: c.Priority, QueuedAt: *c.QueuedAt}
	if pos, err = s.Store.Position(ctx, q); err != nil {
		return 0, 0, false, err
	}
	per, err := s.pace(ctx, c.TeamID)
	return pos, time.Duration(pos) * per, err == nil, err
}

// say sends the customer a message from the system; the client id makes a retried
// notice a no-op.
func (s *Service) say(ctx context.Context, id uuid.UUID, text, clientID string) error {
	if s.Replier == nil || strings.TrimSpace(text) == "" {
		return nil
	}
	_, err := s.Replier.Reply(ctx, id, conversation.Reply{Text: text, SenderType: conversation.SenderBot, ClientID: clientID})
	if err != nil {
		return fmt.Errorf("tell the customer: %w", err)
	}
	return nil
}

func (s *Service) locale(ctx context.Context, tenantID uuid.UUID) string {
	if s.Locale == nil {
		return ""
	}
	return s.Locale(ctx, tenantID)
}

// calendar is a queue's business hours: its team's, else the tenant's, else always
// open. Schedules were validated when saved; one that no longer compiles (a time zone
// gone from the database) counts as always open rather than closing the queue.
func (s *Service) calendar(ctx context.Context, set Settings, team *uuid.UUID) (*hours.Calendar, error) {
	h := set.Hours
	if team != nil {
		t, err := s.Store.Team(ctx, *team)
		if err != nil && !errors.Is(err, ErrTeamNotFound) {
			return nil, err
		}
		if err == nil && t.Settings.Hours != nil {
			h = t.Settings.Hours
		}
	}
	if h == nil {
		return hours.AlwaysOpen(), nil
	}
	cal, err := hours.Compile(*h)
	if err != nil {
		s.log().Warn("routing: stored business hours do not compile; treating the queue as open", "err", err)
		return hours.AlwaysOpen(), nil
	}
	return cal, nil
}

// nextOpenText is the {next_open} of the outside-hours message: when the queue opens
// next, in the schedule's zone.
func nextOpenText(cal *hours.Calendar, now time.Time, locale string) string {
	t, ok := cal.NextOpen(now)
	if !ok {
		return ""
	}
	t, now = t.In(cal.Location()), now.In(cal.Location())
	zh := strings.HasPrefix(strings.ToLower(locale), "zh")
	y1, m1, d1 := now.Date()
	days := int(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC).Sub(time.Date(y1, m1, d1, 0, 0, 0, 0, time.UTC)).Hours() / 24)
	var day string
	switch {
	case days == 0 && zh:
		day = "今天"
	case days == 0:
		day = "today at"
	case days == 1 && zh:
		day = "明天"
	case days == 1:
		day = "tomorrow at"
	case days < 7 && zh:
		day = [...]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}[t.Weekday()]
	case days < 7:
		day = t.Format("Monday") + " at"
	case zh:
		day = t.Format("1月2日")
	default:
		day = t.Format("Jan 2") + " at"
	}
	if zh {
		return "（下次服务时间：" + day + " " + t.Format("15:04") + "）"
	}
	return " (we are back " + day + " " + t.Format("15:04") + ")"
}

// overflow handles a queue's conversations that waited past its overflow time: they
// move to the overflow team (once per queue entry), or their customers are asked to
// leave a message and they leave the live queue.
func (s *Service) overflow(ctx context.Context, team *uuid.UUID) error {
	var after int
	var to *uuid.UUID
	if team != nil {
		t, err := s.Store.Team(ctx, *team)
		if errors.Is(err, ErrTeamNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		after, to = t.Settings.OverflowAfter, t.Settings.OverflowTeamID
	} else {
		set, err := s.Store.Settings(ctx)
		if err != nil {
			return err
		}
		after = set.OverflowAfter
	}
	if after <= 0 {
		return nil
	}
	now := s.now()
	before := now.Add(-time.Duration(after) * time.Minute)
	if to != nil {
		if _, err := s.Store.Team(ctx, *to); err == nil {
			n, err := s.Store.MoveOverdue(ctx, *team, *to, before, now)
			if err != nil || n == 0 {
				return err
			}
			_, err = s.drain(ctx, to)
			return err
		}
		// The overflow team is gone: fall back to a left message.
	}
	ids, err := s.Store.LeaveOverdue(ctx, team, before, now)
	if err != nil || len(ids) == 0 {
		return err
	}
	set, err := s.Store.Settings(ctx)
	if err != nil {
		return err
	}
	tid, _ := tenants.Require(ctx)
	text := suggested(set.LeaveMessage, SuggestedLeaveMessage, suggestedLeaveMessageZH, s.locale(ctx, tid))
	for _, id := range ids {
		if err := s.say(ctx, id, text, "leave:"+strconv.FormatInt(now.UnixMilli(), 10)); err != nil {
			s.log().Warn("routing: could not ask a customer to leave a message", "conversation_id", id, "err", err)
		}
	}
	return nil
}

// Estimate is the expected wait at a queue position from the queue's pace over the
// last half hour; 0 when it served nobody (no basis for a figure).
func (s *Service) Estimate(ctx context.Context, team *uuid.UUID, position int) (time.Duration, error) {
	per, err := s.pace(ctx, team)
	return time.Duration(position) * per, err
}

// pace is the time between two of the queue's assignments over the last half hour
// (0: it served nobody, no basis for a figure).
func (s *Service) pace(ctx context.Context, team *uuid.UUID) (time.Duration, error) {
	const window = 30 * time.Minute
	n, err := s.Store.Served(ctx, team, s.now().Add(-window))
	if err != nil || n == 0 {
		return 0, err
	}
	return window / time.Duration(n), nil
}

func waitText(d time.Duration, locale string) string {
	if d <= 0 {
		return ""
	}
	m := int((d + time.Minute - 1) / time.Minute)
	if strings.HasPrefix(strings.ToLower(locale), "zh") {
		return "，预计等待约 " + strconv.Itoa(m) + " 分钟"
	}
	if m == 1 {
		return " (about 1 minute)"
	}
	return " (about " + strconv.Itoa(m) + " minutes)"
}
