package webui

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gofiber/fiber/v2"
)

func serve(c *Console) *fiber.App {
	app := fiber.New()
	app.Use(c.Handler)
	app.Use(func(ctx *fiber.Ctx) error { return ctx.Status(599).SendString("next") })
	return app
}

func get(t *testing.T, app *fiber.App, p string) (int, string, string) {
	t.Helper()
	res, err := app.Test(httptest.NewRequest("GET", p, nil))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header.Get("Cache-Control"), string(b)
}

func TestBuiltConsole(t *testing.T) {
	files := fstest.MapFS{
		"index.html":         {Data: []byte("<html>console</html>")},
		"assets/app-1a2b.js": {Data: []byte("console.log(1)")},
		"favicon.svg":        {Data: []byte("<svg/>")},
	}
	c := &Console{files: files, index: files["index.html"].Data}
	app := serve(c)
	cases := []struct {
		path, body, cache string
		status            int
	}{
		{"/", "<html>console</html>", "no-cache", 200},
		{"/t/123/members", "<html>console</html>", "no-cache", 200},
		{"/assets/app-1a2b.js", "console.log(1)", "public, max-age=31536000, immutable", 200},
		{"/favicon.svg", "<svg/>", "public, max-age=300", 200},
		{"/assets/gone-9z.js", "", "", 404},
		{"/wp-login.php", "", "", 404},
		{"/api/v1/nope", "next", "", 599},
		{"/healthz", "next", "", 599},
		{"/../../etc/passwd", "<html>console</html>", "no-cache", 200},
	}
	for _, tc := range cases {
		status, cache, body := get(t, app, tc.path)
		if status != tc.status || (tc.body != "" && body != tc.body) || cache != tc.cache {
			t.Errorf("GET %s = %d %q %q, want %d %q %q", tc.path, status, cache, body, tc.status, tc.cache, tc.body)
		}
	}
}

func TestUnbuiltConsoleExplains(t *testing.T) {
	app := serve(&Console{})
	status, _, body := get(t, app, "/")
	if status != 200 || !strings.Contains(body, "make run") {
		t.Fatalf("GET / = %d %q", status, body)
	}
	if status, _, _ := get(t, app, "/missing.js"); status != 404 {
		t.Errorf("missing file = %d, want 404", status)
	}
}
