// Command echo is a minimal kefu connector plugin, written as the example for
// third-party authors. A "provider" POSTs {"id","from","name","text"} to the
// channel's webhook with the channel's token in X-Echo-Token; replies are not sent
// anywhere, only acknowledged, with a "delivered" receipt reported back to kefu
// through the host callback.
//
// Build it and register it with kefu:
//
//	go build -o echo ./examples/echo
//	kefu plugin register ./echo
package main

import "github.com/kefu-io/kefu/sdk"

func main() {
	sdk.Serve(New)
}
