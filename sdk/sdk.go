// Package sdk is the contract between kefu and channel connector plugins. It is its
// own module and imports nothing from the kefu server, so third parties depend on a
// small, stable surface.
//
// A plugin implements Connector and calls Serve from its main; kefu dispenses the
// plugin (Handshake, Plugins, PluginName) and calls it through the same interface
// over go-plugin gRPC, passing a Host the plugin calls back. The wire protocol is
// hidden under internal/; package sdktest holds a fake Host and the conformance
// suite. See README.md for a walk-through.
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
