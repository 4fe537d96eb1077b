package identity

import (
	"context"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/kefu-io/kefu/server/internal/platform/crypt"
)

const recoveryCodeCount = 10

// Enrollment is a pending TOTP secret, shown once for the authenticator app.
type Enrollment struct {
	Secret     string
	OTPAuthURL string
}

// EnrollTOTP starts enrolment: after re-checking the password it stores a new,
// encrypted, not-yet-active secret. Calling it again replaces the pending secret.
func (s *Service) EnrollTOTP(ctx context.Context, p Principal, pw string) (Enrollment, error) {
	u, err := s.verifyPassword(ctx, p.UserID, pw, "password")
	if err != nil {
		return Enrollment{}, err
	}
	if u.TOTPEnabled {
		return Enrollment{}, ErrTOTPAlreadyEnabled
	}
	secret, err := crypt.NewTOTPSecret()
	if err != nil {
		return Enrollment{}, err
	}
	sealed, err := s.box.Seal([]byte(secret), s.totpAAD(u.ID))
	if err != nil {
		return Enrollment{}, err
	}
	err = s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Model(&userRow{}).Where("id = ? AND totp_enabled = ?", u.ID, false).
			Updates(map[string]any{"totp_secret": sealed, "totp_last_step": 0, "updated_at": s.now()}).Error
	})
	if err != nil {
		return Enrollment{}, err
	}
	return Enrollment{Secret: secret, OTPAuthURL: crypt.TOTPURL("kefu", u.Email, secret)}, nil
}

// ConfirmTOTP activates a pending secret with a valid code and returns fresh recovery
// codes (shown once). Other sessions are revoked: the account's security changed.
func (s *Service) ConfirmTOTP(ctx context.Context, p Principal, code string) ([]string, error) {
	var u userRow
	if err := s.db.View(ctx, func(ctx context.Context, tx *gorm.DB) error { return tx.Where("id = ?", p.UserID).Take(&u).Error }); err != nil {
		return nil, err
	}
	if u.TOTPEnabled {
		return nil, ErrTOTPAlreadyEnabled
	}
	if u.TOTPSecret == "" {
		return nil, ErrTOTPNotEnrolled
	}
	if err := s.checkSecondFactor(ctx, &u, code); err != nil {
		return nil, err
	}
	var codes []string
	err := s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		if err := tx.Model(&userRow{}).Where("id = ?", u.ID).Updates(map[string]any{"totp_enabled": true, "updated_at": s.now()}).Error; err != nil {
			return err
		}
		var err error
		if codes, err = s.replaceRecoveryCodes(tx, u.ID); err != nil {
			return err
		}
		if err := s.revokeSessions(tx, "2fa_enabled", "user_id = ? AND id <> ?", u.ID, p.SessionID); err != nil {
			return err
		}
		return s.audit.Security(ctx, &u.ID, "totp.enabled", nil)
	})
	return codes, err
}

// DisableTOTP turns 2FA off after checking the password and a current code.
func (s *Service) DisableTOTP(ctx context.Context, p Principal, pw, code string) error {
	u, err := s.verifyPassword(ctx, p.UserID, pw, "password")
	if err != nil {
		return err
	}
	if !u.TOTPEnabled {
		return ErrTOTPNotEnabled
	}
	if err := s.checkSecondFactor(ctx, &u, code); err != nil {
		return err
	}
	return s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		if err := tx.Model(&userRow{}).Where("id = ?", u.ID).
			Updates(map[string]any{"totp_enabled": false, "totp_secret": "", "totp_last_step": 0, "updated_at": s.now()}).Error; err != nil {
			return err
		}
		if err := tx.Where("user_id = ?", u.ID).Delete(&recoveryRow{}).Error; err != nil {
			return err
		}
		if err := s.revokeSessions(tx, "2fa_disabled", "user_id = ? AND id <> ?", u.ID, p.SessionID); err != nil {
			return err
		}
		return s.audit.Security(ctx, &u.ID, "totp.disabled", nil)
	})
}

// RegenerateRecoveryCodes replaces the recovery codes after checking a current code.
func (s *Service) RegenerateRecoveryCodes(ctx context.Context, p Principal, code string) ([]string, error) {
	var u userRow
	if err := s.db.View(ctx, func(ctx context.Context, tx *gorm.DB) error { return tx.Where("id = ?", p.UserID).Take(&u).Error }); err != nil {
		return nil, err
	}
	if !u.TOTPEnabled {
		return nil, ErrTOTPNotEnabled
	}
	if err := s.checkSecondFactor(ctx, &u, code); err != nil {
		return nil, err
	}
	var codes []string
	err := s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		var err error
		if codes, err = s.replaceRecoveryCodes(tx, u.ID); err != nil {
			return err
		}
		return s.audit.Security(ctx, &u.ID, "totp.recovery_codes_regenerated", nil)
	})
	return codes, err
}

func (s *Service) replaceRecoveryCodes(tx *gorm.DB, userID uuid.UUID) ([]string, error) {
	codes, err := crypt.NewRecoveryCodes(recoveryCodeCount)
	if err != nil {
		return nil, err
	}
	if err := tx.Where("user_id = ?", userID).Delete(&recoveryRow{}).Error; err != nil {
		return nil, err
	}
	now := s.now()
	rows := make([]recoveryRow, len(codes))
	for i, c := range codes {
		rows[i] = recoveryRow{UserID: userID, CodeHash: crypt.SHA256Hex(crypt.NormalizeRecoveryCode(c)), CreatedAt: now}
	}
	if err := tx.Create(&rows).Error; err != nil {
		return nil, err
	}
	return codes, nil
}
