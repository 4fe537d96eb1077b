// Package webui serves the admin console: the Vite build of admin-ui/, embedded into
// the binary. Hashed assets are cached forever; every other path that is not an API or
// operations route gets index.html, so client-side routes survive a reload. When the
// binary was built without the console, a page says how to build it.
package webui

import (
	"embed"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/gofiber/fiber/v2"
)

//go:embed all:ui
var embedded embed.FS

// Console serves the built console, if this binary has one.
type Console struct {
	files fs.FS
	index []byte
}

// New loads the embedded build.
func New() *Console {
	sub, err := fs.Sub(embedded, "ui/dist")
	if err != nil {
		return &Console{}
	}
	index, err := fs.ReadFile(sub, "index.html")
	if err != nil {
		return &Console{}
	}
	return &Console{files: sub, index: index}
}

// Built reports whether the console is embedded.
func (c *Console) Built() bool { return c.index != nil }

// reserved are path prefixes the console never answers, so an unknown API path gets
// the API's 404 problem instead of the console's HTML.
var reserved = []string{"/api/", "/healthz", "/readyz", "/metrics", "/hooks/"}

// Reserved reports whether p belongs to the API rather than the console.
func Reserved(p string) bool {
	for _, r := range reserved {
		if p == strings.TrimSuffix(r, "/") || strings.HasPrefix(p, r) {
			return true
		}
	}
	return false
}

// Handler serves GET and HEAD for console paths; it calls Next for anything reserved.
func (c *Console) Handler(ctx *fiber.Ctx) error {
	p := ctx.Path()
	if Reserved(p) {
		return ctx.Next()
	}
	ctx.Set("X-Content-Type-Options", "nosniff")
	ctx.Set("Referrer-Policy", "same-origin")
	ctx.Set("X-Frame-Options", "DENY")
	name := strings.TrimPrefix(path.Clean(p), "/")
	// Client-side routes never have a file extension: a missing file that does (a
	// scanner's /wp-login.php, a stale asset) is a 404, not the console.
	if path.Ext(name) != "" && name != "index.html" && (!c.Built() || !exists(c.files, name)) {
		return fiber.ErrNotFound
	}
	if !c.Built() {
		ctx.Set(fiber.HeaderCacheControl, "no-store")
		ctx.Type("html", "utf-8")
		return ctx.Status(http.StatusOK).SendString(notBuiltPage)
	}
	if name != "" && name != "index.html" {
		if b, err := fs.ReadFile(c.files, name); err == nil {
			if strings.HasPrefix(name, "assets/") {
				// Vite puts a content hash in every asset name: a new build is a new URL.
				ctx.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
			} else {
				ctx.Set(fiber.HeaderCacheControl, "public, max-age=300")
			}
			switch ext := path.Ext(name); ext {
			case ".js", ".css", ".html", ".json", ".svg", ".txt":
				// Text is UTF-8: the widget runs on customers' pages, whatever their charset.
				ctx.Type(ext, "utf-8")
			default:
				ctx.Type(ext)
			}
			return ctx.Send(b)
		}
	}
	// index.html must never be cached, or a deploy would keep serving old asset names.
	ctx.Set(fiber.HeaderCacheControl, "no-cache")
	ctx.Set("Content-Security-Policy", csp)
	ctx.Type("html", "utf-8")
	return ctx.Send(c.index)
}

const csp = "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"

const notBuiltPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>kefu — console not built</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#222}code{background:#f3f3f3;padding:.1rem .3rem;border-radius:3px}</style>
</head><body>
<h1>kefu is running — the web console is not built into this binary</h1>
<p>The API works: try <code>GET /healthz</code> or <code>POST /api/v1/auth/login</code>.</p>
<p>To get the console, install Node.js 20+ and rebuild:</p>
<pre><code>make run          # builds the console when Node.js is present, then starts kefu
# or
make ui build     # admin-ui → server/internal/webui/ui/dist, then the binary</code></pre>
<p>控制台尚未构建：安装 Node.js 20+ 后运行 <code>make run</code> 即可。</p>
</body></html>`

func exists(fsys fs.FS, name string) bool {
	st, err := fs.Stat(fsys, name)
	return err == nil && !st.IsDir()
}
