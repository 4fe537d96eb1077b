package pluginhost

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"

	"github.com/hashicorp/go-hclog"
)

// newPluginLogger gives go-plugin an hclog logger whose lines end up in kefu's own
// log, tagged with the plugin: go-plugin re-logs the plugin's stderr (hclog JSON from
// sdk.Serve) through it, and logs its own supervision messages.
func newPluginLogger(l *slog.Logger, s Spec) hclog.Logger {
	name := s.Name
	if name == "" {
		name = s.Source
	}
	return hclog.New(&hclog.LoggerOptions{
		Name:       "plugin",
		Level:      hclog.Debug,
		JSONFormat: true,
		Output:     &slogWriter{l: l.With("plugin", name)},
	})
}

// slogWriter parses hclog JSON lines and logs them with slog.
type slogWriter struct {
	l   *slog.Logger
	mu  sync.Mutex
	buf []byte
}

func (w *slogWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		w.line(w.buf[:i])
		w.buf = w.buf[i+1:]
	}
	return len(p), nil
}

func (w *slogWriter) line(b []byte) {
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		w.l.Info(strings.TrimSpace(string(b)))
		return
	}
	msg, _ := m["@message"].(string)
	lv, _ := m["@level"].(string)
	level := slog.LevelInfo
	switch lv {
	case "trace", "debug":
		level = slog.LevelDebug
	case "warn":
		level = slog.LevelWarn
	case "error":
		level = slog.LevelError
	}
	args := make([]any, 0, 2*len(m))
	for k, v := range m {
		if strings.HasPrefix(k, "@") {
			continue
		}
		args = append(args, k, v)
	}
	w.l.Log(context.Background(), level, msg, args...)
}
