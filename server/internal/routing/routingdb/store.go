// Package routingdb is the SQL store of the routing engine. Its statements are raw
// SQL (row locks, the cross-tenant queue function), so each names tenant_id itself;
// on PostgreSQL row-level security backs that up.
package routingdb

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/kefu-io/kefu/server/internal/platform/db"
	"github.com/kefu-io/kefu/server/internal/routing"
	"github.com/kefu-io/kefu/tenants"
)

// Store implements routing.Store.
type Store struct{ DB *db.DB }

var _ routing.Store = (*Store)(nil)

func (s *Store) pg() bool { return s.DB.Dialect() == db.Postgres }

type agentRow struct {
	UserID          uuid.UUID
	Presence        string
	PresenceAuto    bool
	Capacity        int
	ChannelCapacity string
	Load            int
	LastAssignedAt  *time.Time
	UpdatedAt       time.Time
}

func (r agentRow) agent() routing.Agent {
	a := routing.Agent{UserID: r.UserID, Presence: routing.Presence(r.Presence), Auto: r.PresenceAuto,
		Capacity: r.Capacity, Load: r.Load, LastAssignedAt: utc(r.LastAssignedAt), UpdatedAt: r.UpdatedAt.UTC(),
		ChannelCapacity: map[string]int{}}
	if r.ChannelCapacity != "" && r.ChannelCapacity != "{}" {
		_ = json.Unmarshal([]byte(r.ChannelCapacity), &a.ChannelCapacity)
	}
	return a
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

const agentCols = "user_id, presence, presence_auto, capacity, channel_capacity, load, last_assigned_at, updated_at"

func defaultAgent(id uuid.UUID) routing.Agent {
	return routing.Agent{UserID: id, Presence: routing.Offline, Capacity: routing.DefaultCapacity, ChannelCapacity: map[string]int{}}
}

func (s *Store) Agent(ctx context.Context, userID uuid.UUID) (routing.Agent, error) {
	var rows []agentRow
	err := s.DB.View(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Raw("SELECT "+agentCols+" FROM agents WHERE user_id = ?", userID).Scan(&rows).Error
	})
	if err != nil {
		return routing.Agent{}, fmt.Errorf("read agent: %w", err)
	}
	if len(rows) == 0 {
		return defaultAgent(userID), nil
	}
	return rows[0].agent(), nil
}

// ensureAgent creates the agent's row with the defaults, so there is a row to lock
// and update.
func ensureAgent(tx *gorm.DB, userID uuid.UUID, at time.Time) error {
	return tx.Exec("INSERT INTO agents (user_id, updated_at) VALUES (?, ?) ON CONFLICT (user_id) DO NOTHING", userID, at.UTC()).Error
}

func (s *Store) LockAgent(ctx context.Context, userID uuid.UUID) (routing.Agent, error) {
	var rows []agentRow
	err := s.DB.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		if err := ensureAgent(tx, userID, time.Now()); err != nil {
			return err
		}
		q := "SELECT " + agentCols + " FROM agents WHERE user_id = ?"
		if s.pg() {
			q += " FOR UPDATE"
		}
		return tx.Raw(q, userID).Scan(&rows).Error
	})
	if err != nil {
		return routing.Agent{}, fmt.Errorf("lock agent: %w", err)
	}
	if len(rows) == 0 {
		return routing.Agent{}, routing.ErrAgentNotFound
	}
	return rows[0].agent(), nil
}

func (s *Store) setAgent(ctx context.Context, userID uuid.UUID, set string, at time.Time, args ...any) (routing.Agent, error) {
	var rows []agentRow
	err := s.DB.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		if err := ensureAgent(tx, userID, at); err != nil {
			return err
		}
		if err := tx.Exec("UPDATE agents SET "+set+", updated_at = ? WHERE user_id = ?", append(args, at.UTC(), userID)...).Error; err != nil {
			return err
		}
		return tx.Raw("SELECT "+agentCols+" FROM agents WHERE user_id = ?", userID).Scan(&rows).Error
	})
	if err != nil {
		return routing.Agent{}, fmt.Errorf("update agent: %w", err)
	}
	if len(rows) == 0 {
		return routing.Agent{}, routing.ErrAgentNotFound
	}
	return rows[0].agent(), nil
}

func (s *Store) SetPresence(ctx context.Context, userID uuid.UUID, p routing.Presence, auto bool, at time.Time) (routing.Agent, error) {
	set := "presence = ?, presence_auto = ?"
	args := []any{string(p), auto}
	if auto {
		// The system's change applies only over the state it expects (online going
		// away, or away it set coming back), never over the agent's own choice.
		set = "presence = CASE WHEN presence = 'online' AND ? = 'away' THEN 'away' " +
			"WHEN presence = 'away' AND presence_auto AND ? = 'online' THEN 'online' ELSE presence END, " +
			"presence_auto = CASE WHEN presence = 'online' AND ? = 'away' THEN true " +
			"WHEN presence = 'away' AND presence_auto AND ? = 'online' THEN false ELSE presence_auto END"
		args = []any{string(p), string(p), string(p), string(p)}
	}
	return s.setAgent(ctx, userID, set, at, args...)
}

func (s *Store) SetCapacity(ctx context.Context, userID uuid.UUID, n int, at time.Time) (routing.Agent, error) {
	return s.setAgent(ctx, userID, "capacity = ?", at, n)
}

func (s *Store) SetChannelCapacity(ctx context.Context, userID uuid.UUID, caps map[string]int, at time.Time) (routing.Agent, error) {
	if caps == nil {
		caps = map[string]int{}
	}
	b, _ := json.Marshal(caps)
	return s.setAgent(ctx, userID, "channel_capacity = ?", at, string(b))
}

func (s *Store) KindLoad(ctx context.Context, userID uuid.UUID, connector string) (int, error) {
	var n int64
	err := s.DB.View(ctx, func(ctx context.Context, tx *gorm.DB) error {
		if s.pg() {
			return tx.Raw("SELECT kefu_agent_kind_load(?, ?)", userID, connector).Scan(&n).Error
		}
		return tx.Raw("SELECT count(*) FROM conversations c JOIN channels ch ON ch.tenant_id = c.tenant_id AND ch.id = c.channel_id "+
			"WHERE c.assignee_id = ? AND c.status IN ('open', 'pending') AND ch.connector = ?", userID, connector).Scan(&n).Error
	})
	if err != nil {
		return 0, fmt.Errorf("count the agent's conversations of a channel type: %w", err)
	}
	return int(n), nil
}

func (s *Store) ConnectorOf(ctx context.Context, channelID uuid.UUID) (string, error) {
	tid, err := tenantOf(ctx)
	if err != nil {
		return "", err
	}
	var cs []string
	err = s.DB.View(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Raw("SELECT connector FROM channels WHERE tenant_id = ? AND id = ?", tid, channelID).Scan(&cs).Error
	})
	if err != nil || len(cs) == 0 {
		return "", err
	}
	return cs[0], nil
}

func (s *Store) ChannelOf(ctx context.Context, conversationID uuid.UUID) (uuid.UUID, error) {
	tid, err := tenantOf(ctx)
	if err != nil {
		return uuid.Nil, err
	}
	var ids []uuid.UUID
	err = s.DB.View(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Raw("SELECT channel_id FROM conversations WHERE tenant_id = ? AND id = ?", tid, conversationID).Scan(&ids).Error
	})
	if err != nil || len(ids) == 0 {
		return uuid.Nil, err
	}
	return ids[0], nil
}

func tenantOf(ctx context.Context) (uuid.UUID, error) { return tenants.Require(ctx) }

func (s *Store) Members(ctx context.Context) ([]routing.Agent, error) {
	vs, err := s.Roster(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]routing.Agent, len(vs))
	for i, v := range vs {
		out[i] = v.Agent
	}
	return out, nil
}

func (s *Store) IsMember(ctx context.Context, userID uuid.UUID) (bool, error) {
	tid, err := tenantOf(ctx)
	if err != nil {
		return false, err
	}
	var n int64
	err = s.DB.View(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Raw("SELECT count(*) FROM memberships WHERE tenant_id = ? AND user_id = ?", tid, userID).Scan(&n).Error
	})
	return n > 0, err
}

// ---- teams ------------------------------------------------------------------------

type teamRow struct {
	ID        uuid.UUID
	Name      string
	Strategy  string
	Settings  string
	CreatedAt time.Time
	UpdatedAt time.Time
}

type memberRow struct {
	TeamID         uuid.UUID
	UserID         uuid.UUID
	Skills         string
	LastAssignedAt *time.Time
}

func (s *Store) teams(ctx context.Context, id *uuid.UUID) ([]routing.Team, error) {
	tid, err := tenantOf(ctx)
	if err != nil {
		return nil, err
	}
	var trs []teamRow
	var mrs []memberRow
	err = s.DB.View(ctx, func(ctx context.Context, tx *gorm.DB) error {
		q, mq := "SELECT id, name, strategy, settings, created_at, updated_at FROM teams WHERE tenant_id = ?",
			"SELECT team_id, user_id, skills, last_assigned_at FROM team_members WHERE tenant_id = ?"
		args := []any{tid}
		if id != nil {
			q += " AND id = ?"
			mq += " AND team_id = ?"
			args = append(args, *id)
		}
		if err := tx.Raw(q+" ORDER BY lower(name), id", args...).Scan(&trs).Error; err != nil {
			return err
		}
		return tx.Raw(mq+" ORDER BY created_at, user_id", args...).Scan(&mrs).Error
	})
	if err != nil {
		return nil, fmt.Errorf("read teams: %w", err)
	}
	members := map[uuid.UUID][]routing.Member{}
	for _, m := range mrs {
		sk := []string{}
		_ = json.Unmarshal([]byte(m.Skills), &sk)
		members[m.TeamID] = append(members[m.TeamID], routing.Member{UserID: m.UserID, Skills: sk, LastAssignedAt: utc(m.LastAssignedAt)})
	}
	out := make([]routing.Team, len(trs))
	for i, r := range trs {
		t := routing.Team{ID: r.ID, Name: r.Name, Strategy: routing.Strategy(r.Strategy), Members: members[r.ID],
			CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
		_ = json.Unmarshal([]byte(r.Settings), &t.Settings)
		if t.Members == nil {
			t.Members = []routing.Member{}
		}
		out[i] = t
	}
	return out, nil
}

func (s *Store) Teams(ctx context.Context) ([]routing.Team, error) { return s.teams(ctx, nil) }

func (s *Store) Team(ctx context.Context, id uuid.UUID) (routing.Team, error) {
	ts, err := s.teams(ctx, &id)
	if err != nil {
		return routing.Team{}, err
	}
	if len(ts) == 0 {
		return routing.Team{}, routing.ErrTeamNotFound
	}
	return ts[0], nil
}

func (s *Store) CreateTeam(ctx context.Context, t *routing.Team) error {
	tid, err := tenantOf(ctx)
	if err != nil {
		return err
	}
	set, _ := json.Marshal(t.Settings)
	err = s.DB.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		var n int64
		if err := tx.Raw("SELECT count(*) FROM teams WHERE tenant_id = ?", tid).Scan(&n).Error; err != nil {
			return err
		}
		if n >= routing.MaxTeams {
			return routing.ErrTooManyTeams
		}
		if err := tx.Exec("INSERT INTO teams (tenant_id, id, name, strategy, settings, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
			tid, t.ID, t.Name, string(t.Strategy), string(set), t.CreatedAt.UTC(), t.UpdatedAt.UTC()).Error; err != nil {
			return err
		}
		return putMembers(tx, tid, t)
	})
	if db.IsUniqueViolation(err) {
		return routing.ErrTeamName
	}
	return err
}

func putMembers(tx *gorm.DB, tid uuid.UUID, t *routing.Team) error {
	keep := make([]uuid.UUID, 0, len(t.Members))
	for _, m := range t.Members {
		keep = append(keep, m.UserID)
		sk, _ := json.Marshal(m.Skills)
		if err := tx.Exec("INSERT INTO team_members (tenant_id, team_id, user_id, skills, created_at) VALUES (?, ?, ?, ?, ?) "+
			"ON CONFLICT (tenant_id, team_id, user_id) DO UPDATE SET skills = excluded.skills",
			tid, t.ID, m.UserID, string(sk), t.UpdatedAt.UTC()).Error; err != nil {
			return err
		}
	}
	// Exec runs at once, so the two deletes are alternatives, not a query being built.
	if len(keep) == 0 {
		return tx.Exec("DELETE FROM team_members WHERE tenant_id = ? AND team_id = ?", tid, t.ID).Error
	}
	return tx.Exec("DELETE FROM team_members WHERE tenant_id = ? AND team_id = ? AND user_id NOT IN ?", tid, t.ID, keep).Error
}

func (s *Store) UpdateTeam(ctx context.Context, t *routing.Team) error {
	tid, err := tenantOf(ctx)
	if err != nil {
		return err
	}
	set, _ := json.Marshal(t.Settings)
	err = s.DB.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		res := tx.Exec("UPDATE teams SET name = ?, strategy = ?, settings = ?, updated_at = ? WHERE tenant_id = ? AND id = ?",
			t.Name, string(t.Strategy), string(set), t.UpdatedAt.UTC(), tid, t.ID)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return routing.ErrTeamNotFound
		}
		return putMembers(tx, tid, t)
	})
	if db.IsUniqueViolation(err) {
		return routing.ErrTeamName
	}
	return err
}

func (s *Store) DeleteTeam(ctx context.Context, id uuid.UUID) error {
	tid, err := tenantOf(ctx)
	if err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		// Its waiting conversations join the tenant's queue rather than wait for a
		// team that no longer exists.
		if err := tx.Exec("UPDATE conversations SET team_id = NULL WHERE tenant_id = ? AND team_id = ?", tid, id).Error; err != nil {
			return err
		}
		res := tx.Exec("DELETE FROM teams WHERE tenant_id = ? AND id = ?", tid, id)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return routing.ErrTeamNotFound
		}
		return nil
	})
}

func (s *Store) Settings(ctx context.Context) (routing.Settings, error) {
	tid, err := tenantOf(ctx)
	if err != nil {
		return routing.Settings{}, err
	}
	var raw []string
	err = s.DB.View(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Raw("SELECT settings FROM routing_settings WHERE tenant_id = ?", tid).Scan(&raw).Error
	})
	set := routing.DefaultSettings()
	if err != nil {
		return set, fmt.Errorf("read routing settings: %w", err)
	}
	if len(raw) > 0 && raw[0] != "{}" {
		if err := json.Unmarshal([]byte(raw[0]), &set); err != nil {
			return set, fmt.Errorf("decode routing settings: %w", err)
		}
	}
	if set.Rules == nil {
		set.Rules = []routing.Rule{}
	}
	if set.WrapUp.Mode == "" {
		set.WrapUp.Mode = routing.WrapUpOff
	}
	if set.WrapUp.Categories == nil {
		set.WrapUp.Categories = []string{}
	}
	if set.OutsideHours == "" {
		set.OutsideHours = routing.OutsideWait
	}
	return set, nil
}

func (s *Store) PutSettings(ctx context.Context, set routing.Settings, at time.Time) error {
	tid, err := tenantOf(ctx)
	if err != nil {
		return err
	}
	b, err := json.Marshal(set)
	if err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Exec("INSERT INTO routing_settings (tenant_id, settings, updated_at) VALUES (?, ?, ?) "+
			"ON CONFLICT (tenant_id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at",
			tid, string(b), at.UTC()).Error
	})
}

// ---- the queue ----------------------------------------------------------------------

func (s *Store) LockQueue(ctx context.Context, team *uuid.UUID) error {
	if !s.pg() {
		// SQLite's BEGIN IMMEDIATE already holds the only write lock.
		return nil
	}
	tid, err := tenantOf(ctx)
	if err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		var ids []uuid.UUID
		if team != nil {
			if err := tx.Raw("SELECT id FROM teams WHERE tenant_id = ? AND id = ? FOR UPDATE", tid, *team).Scan(&ids).Error; err != nil {
				return err
			}
			if len(ids) == 0 {
				return routing.ErrTeamNotFound
			}
			return nil
		}
		if err := tx.Exec("INSERT INTO routing_settings (tenant_id, settings, updated_at) VALUES (?, '{}', ?) ON CONFLICT (tenant_id) DO NOTHING",
			tid, time.Now().UTC()).Error; err != nil {
			return err
		}
		return tx.Raw("SELECT tenant_id FROM routing_settings WHERE tenant_id = ? FOR UPDATE", tid).Scan(&ids).Error
	})
}

type queuedRow struct {
	TenantID uuid.UUID
	ID       uuid.UUID
	TeamID   *uuid.UUID
	Priority int
	Skills   string
	QueuedAt *time.Time
}

func (r queuedRow) queued() routing.Queued {
	q := routing.Queued{TenantID: r.TenantID, ID: r.ID, TeamID: r.TeamID, Priority: r.Priority, Skills: []string{}}
	if r.QueuedAt != nil {
		q.QueuedAt = r.QueuedAt.UTC()
	}
	_ = json.Unmarshal([]byte(r.Skills), &q.Skills)
	return q
}

// teamCond matches a queue: a team's, or the conversations without one.
func teamCond(team *uuid.UUID) (string, []any) {
	if team == nil {
		return "team_id IS NULL", nil
	}
	return "team_id = ?", []any{*team}
}

const waiting = "status = 'queued' AND assignee_id IS NULL AND routed_at IS NOT NULL AND left_message_at IS NULL"

func (s *Store) Heads(ctx context.Context, team *uuid.UUID, n int) ([]routing.Queued, error) {
	return s.WaitingIn(ctx, team, n)
}

type candRow struct {
	UserID             uuid.UUID
	Presence           string
	PresenceAuto       bool
	Capacity           int
	ChannelCapacity    string
	Load               int
	LastAssignedAt     *time.Time
	UpdatedAt          time.Time
	Skills             string
	TeamLastAssignedAt *time.Time
}

func (s *Store) Candidates(ctx context.Context, team *uuid.UUID) ([]routing.Candidate, error) {
	tid, err := tenantOf(ctx)
	if err != nil {
		return nil, err
	}
	var rows []candRow
	err = s.DB.View(ctx, func(ctx context.Context, tx *gorm.DB) error {
		if team != nil {
			return tx.Raw("SELECT a.user_id, a.presence, a.presence_auto, a.capacity, a.channel_capacity, a.load, a.last_assigned_at, a.updated_at, "+
				"t.skills, t.last_assigned_at AS team_last_assigned_at FROM team_members t JOIN agents a ON a.user_id = t.user_id "+
				"JOIN memberships m ON m.tenant_id = t.tenant_id AND m.user_id = t.user_id "+
				"WHERE t.tenant_id = ? AND t.team_id = ? AND a.presence = 'online' AND a.load < a.capacity", tid, *team).Scan(&rows).Error
		}
		return tx.Raw("SELECT a.user_id, a.presence, a.presence_auto, a.capacity, a.channel_capacity, a.load, a.last_assigned_at, a.updated_at, "+
			"'[]' AS skills, a.last_assigned_at AS team_last_assigned_at FROM memberships m JOIN agents a ON a.user_id = m.user_id "+
			"WHERE m.tenant_id = ? AND a.presence = 'online' AND a.load < a.capacity", tid).Scan(&rows).Error
	})
	if err != nil {
		return nil, fmt.Errorf("read candidates: %w", err)
	}
	out := make([]routing.Candidate, len(rows))
	for i, r := range rows {
		a := agentRow{UserID: r.UserID, Presence: r.Presence, PresenceAuto: r.PresenceAuto, Capacity: r.Capacity, Load: r.Load,
			ChannelCapacity: r.ChannelCapacity, LastAssignedAt: r.LastAssignedAt, UpdatedAt: r.UpdatedAt}
		c := routing.Candidate{Agent: a.agent(), TeamLastAssignedAt: utc(r.TeamLastAssignedAt), Skills: []string{}}
		_ = json.Unmarshal([]byte(r.Skills), &c.Skills)
		out[i] = c
	}
	return out, nil
}

func (s *Store) Take(ctx context.Context, conversationID, agentID uuid.UUID, team *uuid.UUID, at time.Time) (bool, error) {
	tid, err := tenantOf(ctx)
	if err != nil {
		return false, err
	}
	var took bool
	err = s.DB.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		res := tx.Exec("UPDATE conversations SET assignee_id = ?, status = 'open', assigned_at = ?, updated_at = ? "+
			"WHERE tenant_id = ? AND id = ? AND "+waiting, agentID, at.UTC(), at.UTC(), tid, conversationID)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		took = true
		if err := tx.Exec("UPDATE agents SET last_assigned_at = ? WHERE user_id = ?", at.UTC(), agentID).Error; err != nil {
			return err
		}
		if team != nil {
			return tx.Exec("UPDATE team_members SET last_assigned_at = ? WHERE tenant_id = ? AND team_id = ? AND user_id = ?",
				at.UTC(), tid, *team, agentID).Error
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("assign conversation: %w", err)
	}
	return took, nil
}

func (s *Store) Classify(ctx context.Context, conversationID uuid.UUID, team *uuid.UUID, priority int, skills []string, at time.Time) error {
	tid, err := tenantOf(ctx)
	if err != nil {
		return err
	}
	if skills == nil {
		skills = []string{}
	}
	sk, _ := json.Marshal(skills)
	return s.DB.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Exec("UPDATE conversations SET team_id = ?, priority = ?, skills = ?, routed_at = ? WHERE tenant_id = ? AND id = ?",
			team, priority, string(sk), at.UTC(), tid, conversationID).Error
	})
}

func (s *Store) Position(ctx context.Context, q routing.Queued) (int, error) {
	cond, args := teamCond(q.TeamID)
	var n int64
	err := s.DB.View(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Raw("SELECT count(*) FROM conversations WHERE tenant_id = ? AND "+cond+" AND "+waiting+
			" AND (priority > ? OR (priority = ? AND (queued_at < ? OR (queued_at = ? AND id < ?))))",
			append(append([]any{q.TenantID}, args...), q.Priority, q.Priority, q.QueuedAt, q.QueuedAt, q.ID)...).Scan(&n).Error
	})
	return int(n) + 1, err
}

func (s *Store) Served(ctx context.Context, team *uuid.UUID, since time.Time) (int, error) {
	tid, err := tenantOf(ctx)
	if err != nil {
		return 0, err
	}
	cond, args := teamCond(team)
	var n int64
	err = s.DB.View(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Raw("SELECT count(*) FROM conversations WHERE tenant_id = ? AND "+cond+" AND assigned_at > ?",
			append(append([]any{tid}, args...), since.UTC())...).Scan(&n).Error
	})
	return int(n), err
}

func (s *Store) FirstInboundText(ctx context.Context, conversationID uuid.UUID) (string, error) {
	tid, err := tenantOf(ctx)
	if err != nil {
		return "", err
	}
	var texts []string
	err = s.DB.View(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Raw("SELECT text FROM messages WHERE tenant_id = ? AND conversation_id = ? AND direction = 'in' ORDER BY id LIMIT 1",
			tid, conversationID).Scan(&texts).Error
	})
	if err != nil || len(texts) == 0 {
		return "", err
	}
	return texts[0], nil
}

func (s *Store) AgentQueueHeads(ctx context.Context, userID uuid.UUID, limit int) ([]routing.Queued, error) {
	var rows []queuedRow
	err := s.DB.View(ctx, func(ctx context.Context, tx *gorm.DB) error {
		if s.pg() {
			return tx.Raw("SELECT tenant_id, id, team_id, priority, '[]' AS skills, queued_at FROM kefu_queue_heads(?, ?)", userID, limit).Scan(&rows).Error
		}
		return tx.Raw("SELECT c.tenant_id, c.id, c.team_id, c.priority, c.skills, c.queued_at FROM memberships m "+
			"JOIN tenants tn ON tn.id = m.tenant_id AND tn.status = 'active' "+
			"JOIN conversations c ON c.tenant_id = m.tenant_id AND c.status = 'queued' AND c.assignee_id IS NULL AND c.routed_at IS NOT NULL AND c.left_message_at IS NULL "+
			"AND (c.team_id IS NULL OR EXISTS (SELECT 1 FROM team_members t WHERE t.tenant_id = c.tenant_id AND t.team_id = c.team_id AND t.user_id = m.user_id)) "+
			"WHERE m.user_id = ? ORDER BY c.priority DESC, c.queued_at, c.id LIMIT ?", userID, limit).Scan(&rows).Error
	})
	if err != nil {
		return nil, fmt.Errorf("read the agent's queues: %w", err)
	}
	return queuedList(rows), nil
}

func queuedList(rows []queuedRow) []routing.Queued {
	out := make([]routing.Queued, len(rows))
	for i, r := range rows {
		out[i] = r.queued()
	}
	return out
}

func (s *Store) WaitingQueues(ctx context.Context, limit int) ([]routing.Queued, error) {
	var rows []queuedRow
	err := s.DB.View(ctx, func(ctx context.Context, tx *gorm.DB) error {
		if s.pg() {
			return tx.Raw("SELECT tenant_id, team_id, '[]' AS skills FROM kefu_waiting_queues(?)", limit).Scan(&rows).Error
		}
		return tx.Raw("SELECT DISTINCT c.tenant_id, c.team_id, '[]' AS skills FROM conversations c JOIN tenants tn ON tn.id = c.tenant_id AND tn.status = 'active' "+
			"WHERE c.status = 'queued' AND c.assignee_id IS NULL AND c.routed_at IS NOT NULL AND c.left_message_at IS NULL LIMIT ?", limit).Scan(&rows).Error
	})
	if err != nil {
		return nil, fmt.Errorf("read waiting queues: %w", err)
	}
	return queuedList(rows), nil
}

// ---- the live view ------------------------------------------------------------------

func (s *Store) Roster(ctx context.Context) ([]routing.AgentView, error) {
	tid, err := tenantOf(ctx)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		UserID          uuid.UUID
		Presence        string
		PresenceAuto    bool
		Capacity        int
		ChannelCapacity string
		Load            int
		LastAssignedAt  *time.Time
		UpdatedAt       *time.Time
		CreatedAt       time.Time
		Name            string
		Email           string
		Role            string
		Open            int
	}
	var tms []memberRow
	err = s.DB.View(ctx, func(ctx context.Context, tx *gorm.DB) error {
		if err := tx.Raw("SELECT m.user_id, COALESCE(a.presence, 'offline') AS presence, COALESCE(a.presence_auto, false) AS presence_auto, "+
			"COALESCE(a.capacity, ?) AS capacity, COALESCE(a.channel_capacity, '{}') AS channel_capacity, COALESCE(a.load, 0) AS load, "+
			"a.last_assigned_at, a.updated_at, m.created_at, "+
			"u.name, u.email, m.role, "+
			"(SELECT count(*) FROM conversations c WHERE c.tenant_id = m.tenant_id AND c.assignee_id = m.user_id AND c.status IN ('open', 'pending')) AS open "+
			"FROM memberships m JOIN users u ON u.id = m.user_id LEFT JOIN agents a ON a.user_id = m.user_id "+
			"WHERE m.tenant_id = ? ORDER BY lower(u.name), m.user_id", routing.DefaultCapacity, tid).Scan(&rows).Error; err != nil {
			return err
		}
		return tx.Raw("SELECT team_id, user_id FROM team_members WHERE tenant_id = ?", tid).Scan(&tms).Error
	})
	if err != nil {
		return nil, fmt.Errorf("list agents: %w", err)
	}
	teams := map[uuid.UUID][]uuid.UUID{}
	for _, m := range tms {
		teams[m.UserID] = append(teams[m.UserID], m.TeamID)
	}
	out := make([]routing.AgentView, len(rows))
	for i, r := range rows {
		// A member who never used routing has no agents row: their state is the
		// defaults, as of when they joined.
		if r.UpdatedAt == nil {
			r.UpdatedAt = &r.CreatedAt
		}
		a := agentRow{UserID: r.UserID, Presence: r.Presence, PresenceAuto: r.PresenceAuto, Capacity: r.Capacity, Load: r.Load,
			ChannelCapacity: r.ChannelCapacity, LastAssignedAt: r.LastAssignedAt, UpdatedAt: *r.UpdatedAt}
		v := routing.AgentView{Agent: a.agent(), Name: r.Name, Email: r.Email, Role: r.Role, Teams: teams[r.UserID], Open: r.Open}
		if v.Teams == nil {
			v.Teams = []uuid.UUID{}
		}
		out[i] = v
	}
	return out, nil
}

func (s *Store) Held(ctx context.Context) (map[uuid.UUID][]routing.Held, error) {
	tid, err := tenantOf(ctx)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		AssigneeID     uuid.UUID
		ConversationID uuid.UUID
		ContactName    string
		Channel        string
		AssignedAt     *time.Time
	}
	err = s.DB.View(ctx, func(ctx context.Context, tx *gorm.DB) error {
		// Ranked per agent so one busy agent cannot crowd the others out of the list.
		return tx.Raw("SELECT assignee_id, conversation_id, contact_name, channel, assigned_at FROM ("+
			"SELECT c.assignee_id, c.id AS conversation_id, COALESCE(ct.name, '') AS contact_name, COALESCE(ch.connector, '') AS channel, c.assigned_at, "+
			"row_number() OVER (PARTITION BY c.assignee_id ORDER BY c.assigned_at, c.id) AS rn "+
			"FROM conversations c LEFT JOIN contacts ct ON ct.tenant_id = c.tenant_id AND ct.id = c.contact_id "+
			"LEFT JOIN channels ch ON ch.tenant_id = c.tenant_id AND ch.id = c.channel_id "+
			"WHERE c.tenant_id = ? AND c.assignee_id IS NOT NULL AND c.status IN ('open', 'pending')) h "+
			"WHERE rn <= ? ORDER BY assignee_id, rn", tid, routing.MaxCurrent).Scan(&rows).Error
	})
	if err != nil {
		return nil, fmt.Errorf("list held conversations: %w", err)
	}
	out := map[uuid.UUID][]routing.Held{}
	for _, r := range rows {
		out[r.AssigneeID] = append(out[r.AssigneeID], routing.Held{ConversationID: r.ConversationID,
			ContactName: r.ContactName, Channel: r.Channel, AssignedAt: r.AssignedAt})
	}
	return out, nil
}

func (s *Store) QueueStats(ctx context.Context) ([]routing.QueueStat, error) {
	tid, err := tenantOf(ctx)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		TeamID  *uuid.UUID
		Waiting int
		// min() of a timestamp comes back from SQLite as text, so it is read as a
		// string there and parsed.
		Oldest *string
	}
	err = s.DB.View(ctx, func(ctx context.Context, tx *gorm.DB) error {
		oldest := "min(queued_at)"
		if s.pg() {
			oldest = "to_char(min(queued_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.USZ')"
		}
		return tx.Raw("SELECT team_id, count(*) AS waiting, "+oldest+" AS oldest FROM conversations WHERE tenant_id = ? AND "+waiting+
			" GROUP BY team_id", tid).Scan(&rows).Error
	})
	if err != nil {
		return nil, fmt.Errorf("count queues: %w", err)
	}
	out := make([]routing.QueueStat, len(rows))
	for i, r := range rows {
		out[i] = routing.QueueStat{TeamID: r.TeamID, Waiting: r.Waiting}
		if r.Oldest != nil {
			if t, ok := parseTime(*r.Oldest); ok {
				out[i].OldestAt = &t
			}
		}
	}
	return out, nil
}

// parseTime reads the timestamp layouts the two databases print.
func parseTime(s string) (time.Time, bool) {
	for _, l := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05"} {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

func (s *Store) Waiting(ctx context.Context, limit int) ([]routing.Queued, error) {
	tid, err := tenantOf(ctx)
	if err != nil {
		return nil, err
	}
	var rows []queuedRow
	err = s.DB.View(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Raw("SELECT tenant_id, id, team_id, priority, skills, queued_at FROM conversations WHERE tenant_id = ? AND "+waiting+
			" ORDER BY team_id, priority DESC, queued_at, id LIMIT ?", tid, limit).Scan(&rows).Error
	})
	if err != nil {
		return nil, fmt.Errorf("list the queue: %w", err)
	}
	return queuedList(rows), nil
}

// ---- leaving the live queue -----------------------------------------------------------

func (s *Store) LeaveMessage(ctx context.Context, conversationID uuid.UUID, at time.Time) (bool, error) {
	tid, err := tenantOf(ctx)
	if err != nil {
		return false, err
	}
	var n int64
	err = s.DB.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		res := tx.Exec("UPDATE conversations SET left_message_at = ? WHERE tenant_id = ? AND id = ? AND "+waiting, at.UTC(), tid, conversationID)
		n = res.RowsAffected
		return res.Error
	})
	if err != nil {
		return false, fmt.Errorf("leave a message: %w", err)
	}
	return n > 0, nil
}

func (s *Store) LeaveOverdue(ctx context.Context, team *uuid.UUID, before, at time.Time) ([]uuid.UUID, error) {
	tid, err := tenantOf(ctx)
	if err != nil {
		return nil, err
	}
	cond, args := teamCond(team)
	var ids []uuid.UUID
	err = s.DB.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		sel := "SELECT id FROM conversations WHERE tenant_id = ? AND " + cond + " AND " + waiting + " AND queued_at < ? ORDER BY queued_at LIMIT 500"
		if s.pg() {
			sel += " FOR UPDATE SKIP LOCKED"
		}
		if err := tx.Raw(sel, append(append([]any{tid}, args...), before.UTC())...).Scan(&ids).Error; err != nil || len(ids) == 0 {
			return err
		}
		return tx.Exec("UPDATE conversations SET left_message_at = ? WHERE tenant_id = ? AND id IN ? AND "+waiting, at.UTC(), tid, ids).Error
	})
	if err != nil {
		return nil, fmt.Errorf("overflow into left messages: %w", err)
	}
	return ids, nil
}

func (s *Store) MoveOverdue(ctx context.Context, from, to uuid.UUID, before, at time.Time) (int, error) {
	tid, err := tenantOf(ctx)
	if err != nil {
		return 0, err
	}
	var n int64
	err = s.DB.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		res := tx.Exec("UPDATE conversations SET team_id = ?, overflowed_at = ? WHERE tenant_id = ? AND team_id = ? AND "+waiting+
			" AND overflowed_at IS NULL AND queued_at < ?", to, at.UTC(), tid, from, before.UTC())
		n = res.RowsAffected
		return res.Error
	})
	if err != nil {
		return 0, fmt.Errorf("overflow into another team: %w", err)
	}
	return int(n), nil
}

func (s *Store) LeftMessages(ctx context.Context) (int, error) {
	tid, err := tenantOf(ctx)
	if err != nil {
		return 0, err
	}
	var n int64
	err = s.DB.View(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Raw("SELECT count(*) FROM conversations WHERE tenant_id = ? AND status = 'queued' AND assignee_id IS NULL AND left_message_at IS NOT NULL", tid).Scan(&n).Error
	})
	return int(n), err
}

func (s *Store) WaitingIn(ctx context.Context, team *uuid.UUID, limit int) ([]routing.Queued, error) {
	tid, err := tenantOf(ctx)
	if err != nil {
		return nil, err
	}
	cond, args := teamCond(team)
	var rows []queuedRow
	err = s.DB.View(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Raw("SELECT tenant_id, id, team_id, priority, skills, queued_at FROM conversations WHERE tenant_id = ? AND "+cond+
			" AND "+waiting+" ORDER BY priority DESC, queued_at, id LIMIT ?", append(append([]any{tid}, args...), limit)...).Scan(&rows).Error
	})
	if err != nil {
		return nil, fmt.Errorf("list a queue: %w", err)
	}
	return queuedList(rows), nil
}

func (s *Store) SetTeam(ctx context.Context, conversationID uuid.UUID, team uuid.UUID, at time.Time) error {
	tid, err := tenantOf(ctx)
	if err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Exec("UPDATE conversations SET team_id = ?, routed_at = COALESCE(routed_at, ?) WHERE tenant_id = ? AND id = ?",
			team, at.UTC(), tid, conversationID).Error
	})
}

func (s *Store) TenantsOf(ctx context.Context, userID uuid.UUID) ([]uuid.UUID, error) {
	ctx = tenants.AcrossTenants(tenants.NewUserContext(ctx, userID), "a user's own tenants")
	var ids []uuid.UUID
	err := s.DB.View(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Raw("SELECT m.tenant_id FROM memberships m JOIN tenants t ON t.id = m.tenant_id AND t.status = 'active' WHERE m.user_id = ?", userID).Scan(&ids).Error
	})
	if err != nil {
		return nil, fmt.Errorf("list the user's tenants: %w", err)
	}
	return ids, nil
}
