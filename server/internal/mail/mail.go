// Package mail delivers kefu's outgoing mail. The default backend writes each message
// to a file in the data directory and logs where it went — enough for evaluation and
// development; production plugs in an SMTP or provider backend behind the same
// interface. Message bodies hold links with secrets, so they are never logged.
package mail

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/kefu-io/kefu/server/internal/identity"
)

// FileMailer writes RFC 5322 messages into Dir.
type FileMailer struct {
	Dir    string
	From   string
	Logger *slog.Logger
}

// Send writes the message atomically (temp file + rename), so readers never see a
// half-written mail.
func (m *FileMailer) Send(ctx context.Context, msg identity.Mail) error {
	if err := os.MkdirAll(m.Dir, 0o700); err != nil {
		return fmt.Errorf("mail dir: %w", err)
	}
	from := m.From
	if from == "" {
		from = "kefu <no-reply@kefu.local>"
	}
	id := uuid.Must(uuid.NewV7())
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s@kefu.local>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n",
		from, headerSafe(msg.To), headerSafe(msg.Subject), time.Now().UTC().Format(time.RFC1123Z), id)
	b.WriteString(strings.ReplaceAll(msg.Text, "\n", "\r\n"))
	name := filepath.Join(m.Dir, id.String()+".eml")
	tmp := name + ".tmp"
	if err := os.WriteFile(tmp, []byte(b.String()), 0o600); err != nil {
		return fmt.Errorf("write mail: %w", err)
	}
	if err := os.Rename(tmp, name); err != nil {
		return fmt.Errorf("write mail: %w", err)
	}
	if m.Logger != nil {
		m.Logger.InfoContext(ctx, "mail written (file mailer)", "path", name, "subject", msg.Subject)
	}
	return nil
}

// headerSafe drops CR/LF so a value cannot inject headers.
func headerSafe(s string) string {
	return strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
}
