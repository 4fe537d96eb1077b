package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"time"

	"gorm.io/gorm"

	"github.com/kefu-io/kefu/plugins/web"
	"github.com/kefu-io/kefu/sdk"
	"github.com/kefu-io/kefu/server/internal/pluginhost"
)

// Builtins are the connectors that ship inside kefu, run out of process as
// `kefu plugin <name>`.
var Builtins = []string{"web"}

// ServeBuiltin returns the connector a `kefu plugin <name>` process serves.
func ServeBuiltin(name string) (func() sdk.Connector, bool) {
	switch name {
	case "web":
		return func() sdk.Connector { return web.New() }, true
	}
	return nil, false
}

// PluginInfo is a third-party binary in the plugin directory.
type PluginInfo struct {
	Path       string    `json:"path"`
	SHA256     string    `json:"sha256"`
	Registered bool      `json:"registered"`
	InDir      bool      `json:"in_dir"` // this binary is in the plugin directory now
	Name       string    `json:"name"`
	Version    string    `json:"version"`
	At         time.Time `json:"registered_at"`
}

// FileSHA256 hashes a file.
func FileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

type registration struct {
	SHA256       string `gorm:"column:sha256;primaryKey"`
	Name         string
	Version      string
	Path         string
	RegisteredAt time.Time
}

func (registration) TableName() string { return "plugin_registrations" }

// RegisterPlugin allows a plugin binary to run: it must answer kefu's handshake and
// describe itself; its SHA-256 is recorded, so a changed binary must be registered
// again.
func (m *Main) RegisterPlugin(ctx context.Context, path string) (PluginInfo, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return PluginInfo{}, err
	}
	st, err := os.Stat(abs)
	if err != nil {
		return PluginInfo{}, err
	}
	if !st.Mode().IsRegular() || st.Mode().Perm()&0o111 == 0 {
		return PluginInfo{}, fmt.Errorf("%s is not an executable file", abs)
	}
	sum, err := FileSHA256(abs)
	if err != nil {
		return PluginInfo{}, err
	}
	d, err := pluginhost.Probe(ctx, exec.Command(abs), m.Logger)
	if err != nil {
		return PluginInfo{}, fmt.Errorf("%s is not a working kefu connector: %w", abs, err)
	}
	for _, b := range Builtins {
		if d.Name == b {
			return PluginInfo{}, fmt.Errorf("%s calls itself %q, the name of a built-in connector", abs, d.Name)
		}
	}
	r := registration{SHA256: sum, Name: d.Name, Version: d.Version, Path: abs, RegisteredAt: time.Now().UTC()}
	err = m.DB.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		if err := tx.Where("sha256 = ?", sum).Delete(&registration{}).Error; err != nil {
			return err
		}
		return tx.Create(&r).Error
	})
	if err != nil {
		return PluginInfo{}, fmt.Errorf("record registration: %w", err)
	}
	return PluginInfo{Path: abs, SHA256: sum, Registered: true, Name: d.Name, Version: d.Version, At: r.RegisteredAt}, nil
}

// UnregisterPlugin forbids a binary (by path or SHA-256) from running again.
func (m *Main) UnregisterPlugin(ctx context.Context, pathOrSum string) (int64, error) {
	var n int64
	err := m.DB.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		res := tx.Where("sha256 = ? OR path = ?", pathOrSum, pathOrSum).Delete(&registration{})
		n = res.RowsAffected
		return res.Error
	})
	return n, err
}

// Plugins lists the plugin directory's binaries, registered or not, and registered
// binaries that are no longer there.
func (m *Main) Plugins(ctx context.Context) ([]PluginInfo, error) {
	var regs []registration
	if err := m.DB.View(ctx, func(ctx context.Context, tx *gorm.DB) error { return tx.Find(&regs).Error }); err != nil {
		return nil, err
	}
	bySum := map[string]registration{}
	for _, r := range regs {
		bySum[r.SHA256] = r
	}
	var out []PluginInfo
	seen := map[string]bool{}
	if dir := m.Config.PluginDir; dir != "" {
		ents, err := os.ReadDir(dir)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("read plugin directory: %w", err)
		}
		for _, e := range ents {
			p := filepath.Join(dir, e.Name())
			st, err := os.Stat(p)
			if err != nil || !st.Mode().IsRegular() || st.Mode().Perm()&0o111 == 0 {
				continue
			}
			sum, err := FileSHA256(p)
			if err != nil {
				continue
			}
			r, ok := bySum[sum]
			seen[sum] = true
			out = append(out, PluginInfo{Path: p, SHA256: sum, Registered: ok, InDir: true, Name: r.Name, Version: r.Version, At: r.RegisteredAt})
		}
	}
	for _, r := range regs {
		if !seen[r.SHA256] {
			out = append(out, PluginInfo{Path: r.Path, SHA256: r.SHA256, Registered: true, Name: r.Name, Version: r.Version, At: r.RegisteredAt})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// pluginSpecs is what the plugin host runs: the built-ins (out of process, or in
// process for tests), the in-process connectors of embedders, and the registered
// binaries of the plugin directory. An unregistered binary is reported, never run.
func (m *Main) pluginSpecs(ctx context.Context) ([]pluginhost.Spec, error) {
	var specs []pluginhost.Spec
	for _, b := range Builtins {
		if m.BuiltinsInProcess {
			f, _ := ServeBuiltin(b)
			specs = append(specs, pluginhost.Spec{Name: b, Local: f(), Source: "builtin"})
			continue
		}
		name := b
		specs = append(specs, pluginhost.Spec{Name: name, Source: "builtin", Command: func() *exec.Cmd {
			exe, err := os.Executable()
			if err != nil {
				exe = os.Args[0]
			}
			return exec.Command(exe, "plugin", name)
		}})
	}
	for _, c := range m.Connectors {
		specs = append(specs, pluginhost.Spec{Local: c, Source: "local"})
	}
	infos, err := m.Plugins(ctx)
	if err != nil {
		return nil, err
	}
	for _, in := range infos {
		if !in.Registered {
			m.Logger.Warn("plugin binary is not registered and will not run (kefu plugin register <path>)", "path", in.Path, "sha256", in.SHA256)
			continue
		}
		if !in.InDir {
			continue // registered, but no binary with that hash is in the plugin directory
		}
		path, sum := in.Path, in.SHA256
		specs = append(specs, pluginhost.Spec{Name: in.Name, Source: path, Command: func() *exec.Cmd {
			// Re-check the hash at every start: a replaced binary is not the one the
			// operator allowed.
			if got, err := FileSHA256(path); err != nil || got != sum {
				return exec.Command("/nonexistent/kefu-plugin-hash-mismatch")
			}
			return exec.Command(path)
		}})
	}
	return specs, nil
}
