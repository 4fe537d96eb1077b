// Package webtest holds the web connector's conformance input, shared by its own
// tests and the end-to-end run against the real `kefu plugin web` process.
package webtest

import (
	"encoding/json"
	"net/http"

	"github.com/kefu-io/kefu/sdk"
	"github.com/kefu-io/kefu/sdk/sdktest"
)

// Secret is the identity secret of Suite's channel.
const Secret = "identity-secret-0123456789"

func message(body map[string]any) *sdk.WebhookRequest {
	b, _ := json.Marshal(body)
	return &sdk.WebhookRequest{Method: http.MethodPost, Path: "/message", Body: b,
		Headers: map[string][]string{"Origin": {"https://shop.example"}, "Content-Type": {"application/json"}}}
}

// Suite is the conformance input for the web connector.
var Suite = sdktest.Suite{
	ValidConfig:   json.RawMessage(`{"allowed_origins":["https://shop.example"],"identity_secret":"` + Secret + `"}`),
	InvalidConfig: json.RawMessage(`{"require_identity":true}`),
	Webhook:       message(map[string]any{"visitor_id": "v_abcdefghijklmnopqrst", "client_id": "c-1", "text": "hello"}),
	BadWebhook:    message(map[string]any{"visitor_id": "not a visitor", "client_id": "c-1", "text": "hello"}),
	Outbound:      &sdk.OutboundMessage{MessageID: "m-1", Recipient: sdk.Contact{ExternalID: "v:v_abcdefghijklmnopqrst"}, Type: "text", Text: "hi"},
}
