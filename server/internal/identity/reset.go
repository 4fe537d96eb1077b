package identity

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/kefu-io/kefu/server/internal/identity/password"
	"github.com/kefu-io/kefu/server/internal/platform/crypt"
	"github.com/kefu-io/kefu/server/internal/platform/db"
	"github.com/kefu-io/kefu/server/internal/platform/ratelimit"
)

type passwordResetRow struct {
	ID        uuid.UUID `gorm:"primaryKey"`
	UserID    uuid.UUID
	TokenHash string
	ExpiresAt time.Time
	UsedAt    *time.Time
	CreatedAt time.Time
}

func (passwordResetRow) TableName() string { return "password_resets" }

// Jobs runs identity work in the background.
type Jobs interface {
	// EnqueuePasswordReset schedules SendPasswordReset for an address.
	EnqueuePasswordReset(ctx context.Context, email string) error
}

// ForgotPassword accepts a reset request. Whether the address has an account is only
// looked at later, by a background job (SendPasswordReset): the request does the same
// work and gives the same answer either way, so neither its response nor its timing
// reveals which addresses have accounts.
func (s *Service) ForgotPassword(ctx context.Context, email string, meta ClientMeta) error {
	norm, err := NormalizeEmail(email)
	if err != nil {
		return err
	}
	for _, c := range []struct {
		rule ratelimit.Rule
		key  string
	}{{s.cfg.ResetsPerAccount, emailKey(norm)}, {s.cfg.ResetsPerIP, meta.IP}} {
		wait, err := s.limiter.Blocked(ctx, c.rule, c.key)
		if err != nil {
			return err
		}
		if wait > 0 {
			return throttled(wait)
		}
		if err := s.limiter.Hit(ctx, c.rule, c.key); err != nil {
			return err
		}
	}
	if err := s.jobs.EnqueuePasswordReset(ctx, norm); err != nil {
		return fmt.Errorf("forgot password: %w", err)
	}
	return nil
}

// SendPasswordReset mails a single-use reset link if email has an account (the job
// behind ForgotPassword). Only the newest link works.
func (s *Service) SendPasswordReset(ctx context.Context, email string) error {
	var u userRow
	err := s.db.View(ctx, func(ctx context.Context, tx *gorm.DB) error { return tx.Where("email = ?", email).Take(&u).Error })
	if db.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("password reset: %w", err)
	}
	tok, err := crypt.RandomToken("kfp_", 32)
	if err != nil {
		return err
	}
	now := s.now()
	r := passwordResetRow{ID: newID(), UserID: u.ID, TokenHash: crypt.SHA256Hex(tok), ExpiresAt: now.Add(s.cfg.PasswordResetTTL), CreatedAt: now}
	err = s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		if err := tx.Model(&passwordResetRow{}).Where("user_id = ? AND used_at IS NULL", u.ID).Update("used_at", now).Error; err != nil {
			return err
		}
		if err := tx.Create(&r).Error; err != nil {
			return err
		}
		return s.audit.Security(ctx, &u.ID, "password.reset_requested", nil)
	})
	if err != nil {
		return fmt.Errorf("password reset: %w", err)
	}
	link := strings.TrimRight(s.cfg.PublicURL, "/") + "/reset-password#token=" + tok
	m := Mail{To: u.Email, Subject: "Reset your kefu password",
		Text: fmt.Sprintf("Someone (hopefully you) asked to reset the password of your kefu account %s.\n\nChoose a new password: %s\n\nThe link works once and expires in %s. If you did not ask for this, ignore this mail: your password stays as it is.\n",
			u.Email, link, s.cfg.PasswordResetTTL)}
	return s.mailer.Send(ctx, m)
}

// ResetPassword sets a new password with a reset token, revokes every session and
// clears the account's failed-login count. It does not log the user in: holding the
// mailbox must not be enough to pass an account's second factor.
func (s *Service) ResetPassword(ctx context.Context, token, newPassword string) error {
	if !strings.HasPrefix(token, "kfp_") || len(token) > 100 {
		return ErrResetInvalid
	}
	var r passwordResetRow
	err := s.db.View(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Where("token_hash = ?", crypt.SHA256Hex(token)).Take(&r).Error
	})
	if db.IsNotFound(err) {
		return ErrResetInvalid
	}
	if err != nil {
		return fmt.Errorf("reset password: %w", err)
	}
	now := s.now()
	if r.UsedAt != nil || now.After(r.ExpiresAt) {
		return ErrResetInvalid
	}
	var u userRow
	if err := s.db.View(ctx, func(ctx context.Context, tx *gorm.DB) error { return tx.Where("id = ?", r.UserID).Take(&u).Error }); err != nil {
		return fmt.Errorf("reset password: %w", err)
	}
	if err := password.Validate(newPassword, u.Email[:indexAt(u.Email)], u.Name); err != nil {
		return passwordError("new_password", err)
	}
	hash, err := s.hasher.Hash(ctx, newPassword)
	if err != nil {
		return err
	}
	err = s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		// Claim the token first: of two concurrent resets with one token, one wins.
		res := tx.Model(&passwordResetRow{}).Where("id = ? AND used_at IS NULL", r.ID).Update("used_at", now)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrResetInvalid
		}
		if err := tx.Model(&userRow{}).Where("id = ?", u.ID).Updates(map[string]any{"password_hash": hash, "updated_at": now}).Error; err != nil {
			return err
		}
		if err := s.revokeSessions(tx, "password_reset", "user_id = ?", u.ID); err != nil {
			return err
		}
		return s.audit.Security(ctx, &u.ID, "password.reset", nil)
	})
	if err != nil {
		return err
	}
	_ = s.limiter.Reset(ctx, s.cfg.AccountFailures, emailKey(u.Email))
	return nil
}
