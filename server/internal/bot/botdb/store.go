// Package botdb is the GORM store of the bot engine.
package botdb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/kefu-io/kefu/server/internal/bot"
	"github.com/kefu-io/kefu/server/internal/platform/db"
)

type settingsRow struct {
	TenantID  uuid.UUID `gorm:"primaryKey"`
	Settings  string
	LLMSecret string `gorm:"column:llm_secret"`
	UpdatedAt time.Time
}

func (settingsRow) TableName() string { return "bot_settings" }

type modelRow struct {
	TenantID uuid.UUID `gorm:"primaryKey"`
	Revision int64
	Entries  int
	Model    []byte
	BuildMS  int `gorm:"column:build_ms"`
	BuiltAt  time.Time
}

func (modelRow) TableName() string { return "bot_models" }

type turnRow struct {
	TenantID       uuid.UUID `gorm:"primaryKey"`
	ID             uuid.UUID `gorm:"primaryKey"`
	ConversationID uuid.UUID
	MessageID      uuid.UUID
	ReplyID        *uuid.UUID
	Question       string
	Decision       string
	Reason         string
	Confidence     float64
	EntryID        string
	Matches        string
	Feedback       int
	ReviewedAt     *time.Time
	CreatedAt      time.Time
}

func (turnRow) TableName() string { return "bot_turns" }

// Store implements bot.Store.
type Store struct{ DB *db.DB }

var _ bot.Store = (*Store)(nil)

func (s *Store) Settings(ctx context.Context) (bot.Settings, string, bool, error) {
	var r settingsRow
	var found bool
	err := s.DB.View(ctx, func(ctx context.Context, tx *gorm.DB) error {
		res := tx.Limit(1).Find(&r)
		found = res.RowsAffected > 0
		return res.Error
	})
	if err != nil || !found {
		return bot.Settings{}, "", false, err
	}
	set := bot.DefaultSettings()
	if err := json.Unmarshal([]byte(r.Settings), &set); err != nil {
		return bot.Settings{}, "", false, fmt.Errorf("decode bot settings: %w", err)
	}
	return set, r.LLMSecret, true, nil
}

func (s *Store) PutSettings(ctx context.Context, set bot.Settings, sealedKey *string, at time.Time) error {
	set.LLM.HasKey = false
	b, err := json.Marshal(set)
	if err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		r := settingsRow{Settings: string(b), UpdatedAt: at}
		cols := []string{"settings", "updated_at"}
		if sealedKey != nil {
			r.LLMSecret = *sealedKey
			cols = append(cols, "llm_secret")
		}
		return tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "tenant_id"}}, DoUpdates: clause.AssignmentColumns(cols)}).Create(&r).Error
	})
}

func (s *Store) ModelRevision(ctx context.Context) (int64, bool, error) {
	var revs []int64
	err := s.DB.View(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Model(&modelRow{}).Limit(1).Pluck("revision", &revs).Error
	})
	if err != nil || len(revs) == 0 {
		return 0, false, err
	}
	return revs[0], true, nil
}

func (s *Store) GetModel(ctx context.Context) (bot.StoredModel, bool, error) {
	var r modelRow
	var found bool
	err := s.DB.View(ctx, func(ctx context.Context, tx *gorm.DB) error {
		res := tx.Limit(1).Find(&r)
		found = res.RowsAffected > 0
		return res.Error
	})
	if err != nil || !found {
		return bot.StoredModel{}, false, err
	}
	return bot.StoredModel{Revision: r.Revision, Entries: r.Entries, Blob: r.Model, BuildMS: r.BuildMS, BuiltAt: r.BuiltAt}, true, nil
}

// PutModel keeps the newest revision: two nodes building at once cannot replace a
// newer model with an older one.
func (s *Store) PutModel(ctx context.Context, m bot.StoredModel) (bool, error) {
	var stored bool
	err := s.DB.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		r := modelRow{Revision: m.Revision, Entries: m.Entries, Model: m.Blob, BuildMS: m.BuildMS, BuiltAt: m.BuiltAt}
		res := tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "tenant_id"}},
			DoUpdates: clause.AssignmentColumns([]string{"revision", "entries", "model", "build_ms", "built_at"}),
			Where:     clause.Where{Exprs: []clause.Expression{clause.Expr{SQL: "bot_models.revision <= excluded.revision"}}},
		}).Create(&r)
		stored = res.RowsAffected > 0
		return res.Error
	})
	return stored, err
}

func (s *Store) InsertTurn(ctx context.Context, t *bot.Turn) (bot.Turn, bool, error) {
	r := turnRow{ID: t.ID, TenantID: t.TenantID, ConversationID: t.ConversationID, MessageID: t.MessageID, ReplyID: t.ReplyID,
		Question: t.Question, Decision: t.Decision, Reason: t.Reason, Confidence: t.Confidence, EntryID: t.EntryID,
		Matches: encodeMatches(t.Matches), Feedback: t.Feedback, CreatedAt: t.CreatedAt}
	var created bool
	var existing turnRow
	err := s.DB.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&r)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected > 0 {
			created = true
			return nil
		}
		return tx.Where("message_id = ?", t.MessageID).Take(&existing).Error
	})
	if err != nil {
		return bot.Turn{}, false, err
	}
	if created {
		return *t, true, nil
	}
	e, err := toTurn(existing)
	return e, false, err
}

func (s *Store) SetTurnReply(ctx context.Context, turnID, replyID uuid.UUID) error {
	return s.DB.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Model(&turnRow{}).Where("id = ?", turnID).Update("reply_id", replyID).Error
	})
}

func (s *Store) RecentTurns(ctx context.Context, conversationID uuid.UUID, n int) ([]bot.Turn, error) {
	var rows []turnRow
	err := s.DB.View(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Where("conversation_id = ?", conversationID).Order("id DESC").Limit(n).Find(&rows).Error
	})
	if err != nil {
		return nil, err
	}
	return toTurns(rows)
}

func (s *Store) TurnByReply(ctx context.Context, replyID uuid.UUID) (bot.Turn, error) {
	var r turnRow
	err := s.DB.View(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Where("reply_id = ?", replyID).Take(&r).Error
	})
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return bot.Turn{}, bot.ErrTurnNotFound
	}
	if err != nil {
		return bot.Turn{}, err
	}
	return toTurn(r)
}

func (s *Store) SetFeedback(ctx context.Context, turnID uuid.UUID, v int) error {
	return s.DB.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Model(&turnRow{}).Where("id = ?", turnID).Update("feedback", v).Error
	})
}

func (s *Store) Unanswered(ctx context.Context, limit int) ([]bot.Turn, error) {
	var rows []turnRow
	err := s.DB.View(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Where("decision <> ? AND reviewed_at IS NULL", bot.Answer).Order("id DESC").Limit(limit).Find(&rows).Error
	})
	if err != nil {
		return nil, err
	}
	return toTurns(rows)
}

func (s *Store) MarkReviewed(ctx context.Context, ids []uuid.UUID, at time.Time) (int, error) {
	var n int64
	err := s.DB.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		res := tx.Model(&turnRow{}).Where("id IN ? AND reviewed_at IS NULL", ids).Update("reviewed_at", at)
		n = res.RowsAffected
		return res.Error
	})
	return int(n), err
}

func encodeMatches(ms []bot.Match) string {
	if len(ms) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(ms)
	return string(b)
}

func toTurn(r turnRow) (bot.Turn, error) {
	t := bot.Turn{ID: r.ID, TenantID: r.TenantID, ConversationID: r.ConversationID, MessageID: r.MessageID, ReplyID: r.ReplyID,
		Question: r.Question, Decision: r.Decision, Reason: r.Reason, Confidence: r.Confidence, EntryID: r.EntryID,
		Feedback: r.Feedback, ReviewedAt: r.ReviewedAt, CreatedAt: r.CreatedAt}
	if err := json.Unmarshal([]byte(r.Matches), &t.Matches); err != nil {
		return bot.Turn{}, fmt.Errorf("decode turn matches: %w", err)
	}
	if t.Matches == nil {
		t.Matches = []bot.Match{}
	}
	return t, nil
}

func toTurns(rows []turnRow) ([]bot.Turn, error) {
	out := make([]bot.Turn, 0, len(rows))
	for _, r := range rows {
		t, err := toTurn(r)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}
