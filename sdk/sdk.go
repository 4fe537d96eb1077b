// Package sdk is the contract between kefu and channel connector plugins. It is its
// own module and imports nothing from the kefu server, so third parties depend on a
// small, stable surface.
//
// The connector contract itself (Describe, ValidateConfig, HandleWebhook, Send, Health
// over go-plugin gRPC) arrives with the channel plugin platform; this package already
// fixes the handshake values both sides must agree on.
package sdk

// ProtocolVersion is the plugin protocol version. Additions never break older plugins;
// a change that would is a new version, served side by side with the old one.
const ProtocolVersion = 1

// MagicCookieKey and MagicCookieValue make a plugin binary refuse to run when started
// by anything other than a kefu host (a guard against running it by hand, not a
// security boundary).
const (
	MagicCookieKey   = "KEFU_PLUGIN"
	MagicCookieValue = "kefu-connector-7c1d3f0e"
)
