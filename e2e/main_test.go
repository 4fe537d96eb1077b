package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// kefuBin is the kefu binary built for this test run.
var kefuBin string

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	root, err := filepath.Abs("..") // go test runs in the package directory
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: %s is not the repository root: %v\n", root, err)
		return 1
	}
	dir, err := os.MkdirTemp("", "kefu-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	kefuBin = filepath.Join(dir, "kefu")
	build := exec.Command("go", "build", "-o", kefuBin, "./server/cmd/kefu")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: go build ./server/cmd/kefu: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}
