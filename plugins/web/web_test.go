package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/kefu-io/kefu/plugins/web"
	"github.com/kefu-io/kefu/plugins/web/webtest"
	"github.com/kefu-io/kefu/sdk"
	"github.com/kefu-io/kefu/sdk/sdktest"
)

const secret = webtest.Secret

func TestConformance(t *testing.T) {
	sdktest.Run(t, func() sdk.Connector { return web.New() }, webtest.Suite)
}

func TestVisitorsAndIdentities(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	c := web.New()
	c.Now = func() time.Time { return now }
	if err := c.Start(ctx, sdk.Instance{ChannelID: "ch", Config: webtest.Suite.ValidConfig}, nil); err != nil {
		t.Fatal(err)
	}
	call := func(path string, body map[string]any, origin string) sdk.WebhookResult {
		t.Helper()
		b, _ := json.Marshal(body)
		r, err := c.HandleWebhook(ctx, "ch", sdk.WebhookRequest{Method: http.MethodPost, Path: path, Body: b, Headers: map[string][]string{"Origin": {origin}}})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	id := web.Identity{UserID: "42", Name: "Erin", Email: "erin@shop.example", TS: now.Unix()}
	id.Signature = web.Sign(secret, id)
	for _, tc := range []struct {
		name   string
		path   string
		body   map[string]any
		origin string
		status int
		ext    string
	}{
		{"anonymous session", "/session", map[string]any{"visitor_id": "v_abcdefghijklmnopqrst"}, "https://shop.example", 200, "v:v_abcdefghijklmnopqrst"},
		{"foreign origin", "/session", map[string]any{"visitor_id": "v_abcdefghijklmnopqrst"}, "https://evil.example", 403, ""},
		{"signed identity", "/session", map[string]any{"identity": id}, "https://shop.example", 200, "u:42"},
		{"tampered identity", "/session", map[string]any{"identity": web.Identity{UserID: "43", Name: id.Name, Email: id.Email, TS: id.TS, Signature: id.Signature}}, "https://shop.example", 401, ""},
		{"stale identity", "/session", map[string]any{"identity": func() web.Identity {
			old := web.Identity{UserID: "42", TS: now.Add(-72 * time.Hour).Unix()}
			old.Signature = web.Sign(secret, old)
			return old
		}()}, "https://shop.example", 401, ""},
		{"empty message", "/message", map[string]any{"visitor_id": "v_abcdefghijklmnopqrst", "client_id": "x"}, "https://shop.example", 400, ""},
		{"unknown path", "/nope", map[string]any{}, "https://shop.example", 404, ""},
	} {
		r := call(tc.path, tc.body, tc.origin)
		if r.Response.Status != tc.status {
			t.Errorf("%s: status %d, want %d (%s)", tc.name, r.Response.Status, tc.status, r.Response.Body)
			continue
		}
		if tc.ext != "" {
			var out struct {
				ExternalID string `json:"external_id"`
			}
			_ = json.Unmarshal(r.Response.Body, &out)
			if out.ExternalID != tc.ext {
				t.Errorf("%s: external id %q, want %q", tc.name, out.ExternalID, tc.ext)
			}
		}
	}
	// A verified visitor's name comes from the signature, not the form.
	r := call("/message", map[string]any{"identity": id, "client_id": "c", "text": "hi", "name": "Mallory"}, "https://shop.example")
	if len(r.Messages) != 1 || r.Messages[0].Sender.Name != "Erin" || !r.Messages[0].Sender.Verified || r.Messages[0].ExternalID != "u:42:c" {
		t.Fatalf("verified message = %+v", r.Messages)
	}
	// An anonymous visitor may introduce themselves (leave a message).
	r = call("/message", map[string]any{"visitor_id": "v_abcdefghijklmnopqrst", "client_id": "d", "text": "call me", "name": "Ann", "email": "ann@x.example"}, "https://shop.example")
	if len(r.Messages) != 1 || r.Messages[0].Sender.Name != "Ann" || r.Messages[0].Sender.Email != "ann@x.example" || r.Messages[0].Sender.Verified {
		t.Fatalf("anonymous message = %+v", r.Messages)
	}
}
