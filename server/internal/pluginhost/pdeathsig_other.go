//go:build !linux

package pluginhost

import "os/exec"

// setPdeathsig: only Linux can tie a child's life to its parent's; elsewhere
// go-plugin's own cleanup on a normal exit applies.
func setPdeathsig(*exec.Cmd) {}
