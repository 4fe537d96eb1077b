package sdk

import "testing"

func TestHandshakeConstants(t *testing.T) {
	if ProtocolVersion < 1 {
		t.Fatalf("ProtocolVersion = %d, want ≥ 1", ProtocolVersion)
	}
	if MagicCookieKey == "" || len(MagicCookieValue) < 16 {
		t.Fatal("handshake cookie must be set and non-trivial")
	}
}
