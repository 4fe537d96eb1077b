package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/uuid"

	"github.com/kefu-io/kefu/server/internal/identity"

	"github.com/kefu-io/kefu/server/internal/platform/crypt"
	"github.com/kefu-io/kefu/tenants"
)

const (
	demoSlug  = "demo"
	demoEmail = "demo@kefu.local"
)

// ensureDemo creates the demo tenant and its owner once per data directory. The
// password is random, kept in <data dir>/demo-login.txt (mode 0600) and printed on
// every start so a newcomer can log in.
func (m *Main) ensureDemo(ctx context.Context) error {
	loginFile := filepath.Join(m.Config.DataDir, "demo-login.txt")
	_, err := m.Tenants.Resolve(ctx, demoSlug)
	switch {
	case errors.Is(err, tenants.ErrNotFound):
		pw, err := crypt.RandomToken("kefu-", 9)
		if err != nil {
			return err
		}
		// One transaction: a half-made demo (user without tenant) would block retries.
		err = m.DB.InTx(ctx, func(ctx context.Context) error {
			t, err := m.Tenants.Create(ctx, tenants.CreateInput{Name: "Demo", Slug: demoSlug, Timezone: "Asia/Shanghai", Locale: "zh-CN"})
			if err != nil {
				return fmt.Errorf("create demo tenant: %w", err)
			}
			return m.AddOwner(tenants.NewContext(ctx, t.ID), t.ID, demoEmail, "Demo Owner", pw)
		})
		if err != nil {
			return err
		}
		if err := os.WriteFile(loginFile, []byte(demoEmail+"\n"+pw+"\n"), 0o600); err != nil {
			return err
		}
		if u, err := m.Identity.UserByEmail(ctx, demoEmail); err != nil {
			m.Logger.Warn("demo: no bot seeded", "err", err)
		} else if t, err := m.Tenants.Resolve(ctx, demoSlug); err != nil {
			m.Logger.Warn("demo: no bot seeded", "err", err)
		} else if err := m.seedDemoBot(ctx, t.ID, u.ID); err != nil {
			m.Logger.Warn("demo: no bot seeded", "err", err)
		}
	case err != nil:
		return err
	}
	b, err := os.ReadFile(loginFile)
	if err != nil {
		return nil // created elsewhere (another data dir's login file); nothing to print
	}
	lines := strings.SplitN(strings.TrimSpace(string(b)), "\n", 2)
	if len(lines) == 2 {
		fmt.Fprintf(os.Stderr, "\n  kefu is running at %s\n  demo tenant login: %s / %s\n  (stored in %s)\n\n", m.URL(), lines[0], lines[1], loginFile)
	}
	return nil
}

// AddOwner makes email an owner of a tenant, creating the user when needed (CLI).
func (m *Main) AddOwner(ctx context.Context, tenantID uuid.UUID, email, name, pw string) error {
	u, err := m.Identity.UserByEmail(ctx, email)
	if errors.Is(err, identity.ErrUserNotFound) {
		if name == "" {
			name = email
		}
		u, err = m.Identity.CreateUser(ctx, email, name, pw, false)
	}
	if err != nil {
		return err
	}
	_, err = m.Identity.AddMember(tenants.NewContext(ctx, tenantID), u.ID, "owner")
	return err
}
