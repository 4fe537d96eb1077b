package pluginhost

import (
	"os/exec"
	"syscall"
)

// setPdeathsig makes the kernel kill the plugin when kefu dies, however it dies, so
// no orphan outlives the host.
func setPdeathsig(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
}
