package logging

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/google/uuid"

	"github.com/kefu-io/kefu/tenants"
)

func TestContextAttrs(t *testing.T) {
	var buf bytes.Buffer
	log := New(&buf, slog.LevelInfo, "json").With("component", "test")
	tid := uuid.New()
	ctx := tenants.NewContext(WithRequestID(context.Background(), "req-1"), tid)
	log.InfoContext(ctx, "hello")
	var m map[string]any
	if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	if m["request_id"] != "req-1" || m["tenant_id"] != tid.String() || m["component"] != "test" {
		t.Fatalf("record = %v", m)
	}
	buf.Reset()
	log.Info("no context")
	m = nil
	_ = json.Unmarshal(buf.Bytes(), &m)
	if _, ok := m["request_id"]; ok {
		t.Fatalf("request_id without context: %v", m)
	}
}
