package knowledge

import (
	"bytes"
	"fmt"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer/html"
)

// Markdown passes raw HTML through (authors paste <br>, <kbd>, <details>), because the
// sanitiser below, not the Markdown renderer, is what makes the output safe: it keeps a
// fixed allow-list of elements and attributes, drops every event handler and style,
// and allows only http, https and mailto links. The help centre serves this HTML as is.
var (
	markdown = goldmark.New(
		goldmark.WithExtensions(extension.GFM),
		goldmark.WithRendererOptions(html.WithUnsafe()),
	)
	sanitizer = func() *bluemonday.Policy {
		p := bluemonday.UGCPolicy()
		p.AllowURLSchemes("http", "https", "mailto")
		p.RequireNoFollowOnLinks(true)
		p.AddTargetBlankToFullyQualifiedLinks(true)
		p.AllowElements("details", "summary", "kbd", "mark")
		return p
	}()
)

// RenderMarkdown renders an article body to sanitised HTML.
func RenderMarkdown(src string) (string, error) {
	var buf bytes.Buffer
	if err := markdown.Convert([]byte(src), &buf); err != nil {
		return "", fmt.Errorf("render markdown: %w", err)
	}
	return sanitizer.SanitizeReader(&buf).String(), nil
}
