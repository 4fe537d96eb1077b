// Package helpcenter renders a tenant's public help centre: server-side HTML pages of
// its live knowledge base (categories, articles, FAQs, search), in Chinese or English.
//
// Pages are built from a knowledge.Snapshot, so only live content is ever shown, and
// entries whose expiry date has passed are left out even before the snapshot is
// rebuilt. Every value is escaped by html/template except two that are HTML already:
// an article's body, sanitised when it was saved (knowledge.RenderMarkdown), and search
// highlights, which the search package escapes around its <mark> tags. Pages need no
// script; CSP forbids any.
package helpcenter

import (
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"html/template"
	"io"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/kefu-io/kefu/server/internal/knowledge"
	"github.com/kefu-io/kefu/tenants"
)

//go:embed templates/*.html
var files embed.FS

// style is the pages' whole stylesheet, inline so a page is one request; CSP allows
// exactly this text by its hash.
const style = `*{box-sizing:border-box}body{margin:0;font:16px/1.6 -apple-system,BlinkMacSystemFont,"Segoe UI","PingFang SC","Microsoft YaHei",sans-serif;color:#1f2328;background:#f6f8fa}
header{background:#1f6feb;color:#fff;padding:1.25rem 1rem}header a{color:#fff;text-decoration:none}header h1{margin:0 0 .75rem;font-size:1.4rem}
main{max-width:46rem;margin:0 auto;padding:1rem}a{color:#0969da}
form.search{display:flex;gap:.5rem;max-width:46rem;margin:0 auto}form.search input[type=search]{flex:1;min-width:0;padding:.6rem .75rem;border:0;border-radius:6px;font-size:1rem}
button{padding:.55rem 1rem;border:1px solid #d0d7de;border-radius:6px;background:#fff;font-size:1rem;cursor:pointer}
section,article{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:1rem 1.25rem;margin:0 0 1rem}
h2{font-size:1.15rem;margin:0 0 .5rem}ul{margin:0;padding-left:1.2rem}li{margin:.25rem 0}
.crumbs{font-size:.9rem;margin:0 0 .75rem}.meta{color:#656d76;font-size:.85rem}.answer{white-space:pre-wrap}
.kind{display:inline-block;font-size:.75rem;color:#656d76;border:1px solid #d0d7de;border-radius:4px;padding:0 .3rem;margin-right:.35rem}
mark{background:#fff8c5;padding:0 .1em}.snippet{color:#424a53;font-size:.95rem;margin:.15rem 0 0}
.feedback{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem}.thanks{color:#1a7f37}
.body img{max-width:100%;height:auto}.body pre{overflow-x:auto;background:#f6f8fa;padding:.75rem;border-radius:6px}
footer{text-align:center;color:#656d76;font-size:.8rem;padding:1rem}.lang a{margin-left:.5rem}`

// CSP is the Content-Security-Policy of every page: no scripts, no plugins, no frames,
// styles only the inline stylesheet, forms only to this site, images from anywhere
// secure (articles may show them).
var CSP = func() string {
	sum := sha256.Sum256([]byte(style))
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'; img-src https: data:; " +
		"form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
}()

var pages = template.Must(template.New("").Funcs(template.FuncMap{
	"date": func(t time.Time) string { return t.UTC().Format("2006-01-02") },
}).ParseFS(files, "templates/*.html"))

// Site is the tenant a page belongs to and the language it is shown in.
type Site struct {
	Slug string
	Name string
	// Lang is the language of the page (tenants.Locales); Explicit says the visitor
	// chose it with ?lang=, so links carry it on.
	Lang     string
	Explicit bool
}

// Lang picks a page's language: ?lang= when it names one, else the first language of
// Accept-Language that is supported, else the tenant's locale.
func Lang(query, acceptLanguage, tenantLocale string) (lang string, explicit bool) {
	if l, ok := matchLang(query); ok {
		return l, true
	}
	for _, part := range strings.Split(acceptLanguage, ",") {
		tag, q, _ := strings.Cut(part, ";")
		if strings.TrimSpace(q) == "q=0" {
			continue
		}
		if l, ok := matchLang(tag); ok {
			return l, false
		}
	}
	if slices.Contains(tenants.Locales, tenantLocale) {
		return tenantLocale, false
	}
	return tenants.Locales[0], false
}

func matchLang(tag string) (string, bool) {
	tag = strings.ToLower(strings.TrimSpace(tag))
	switch {
	case tag == "":
		return "", false
	case tag == "zh" || strings.HasPrefix(tag, "zh-") || strings.HasPrefix(tag, "zh_"):
		return "zh-CN", true
	case tag == "en" || strings.HasPrefix(tag, "en-") || strings.HasPrefix(tag, "en_"):
		return "en", true
	}
	return "", false
}

// base is the help centre's root path.
func (s Site) base() string { return "/help/" + url.PathEscape(s.Slug) }

// link is a path under the help centre, carrying the chosen language.
func (s Site) link(p string, q url.Values) string {
	if q == nil {
		q = url.Values{}
	}
	if s.Explicit {
		q.Set("lang", s.Lang)
	}
	if len(q) == 0 {
		return s.base() + p
	}
	return s.base() + p + "?" + q.Encode()
}

// ArticleURL is an article's page (where feedback sends the visitor back).
func (s Site) ArticleURL(id uuid.UUID, thanks bool) string {
	return s.entryURL("articles", id, thanks)
}

// FAQURL is an FAQ's page.
func (s Site) FAQURL(id uuid.UUID, thanks bool) string {
	return s.entryURL("faqs", id, thanks)
}

func (s Site) entryURL(seg string, id uuid.UUID, thanks bool) string {
	q := url.Values{}
	if thanks {
		q.Set("feedback", "thanks")
	}
	return s.link("/"+seg+"/"+id.String(), q)
}

// ---- view models --------------------------------------------------------------------

type linkView struct {
	URL, Title string
	Kind       string // a label: "FAQ", "文章" …
}

type categoryView struct {
	URL, Name string
	Entries   []linkView
	Children  []linkView
}

type page struct {
	T          map[string]string
	Lang       string
	Name       string
	Title      string
	HomeURL    string
	SearchURL  string
	Query      string
	LangHidden string // the lang field of the search form, when chosen
	Style      template.CSS
	Other      []linkView // the page in the other languages
	Crumbs     []linkView
	// Home and category pages.
	Categories []categoryView
	Loose      []linkView
	// Entry pages.
	Kind        string
	HTML        template.HTML
	Answer      string
	Published   time.Time
	FeedbackURL string
	Thanks      bool
	// Search.
	Results []resultView
	Total   int
	Empty   bool
}

type resultView struct {
	URL, Kind   string
	TitleHTML   template.HTML
	SnippetHTML template.HTML
}

func (s Site) page(title string, p string, q url.Values) *page {
	pg := &page{T: texts[s.Lang], Lang: s.Lang, Name: s.Name, Title: title, HomeURL: s.link("", nil),
		SearchURL: s.base() + "/search", Style: template.CSS(style)}
	if s.Explicit {
		pg.LangHidden = s.Lang
	}
	for _, l := range tenants.Locales {
		if l == s.Lang {
			continue
		}
		o := s
		o.Lang, o.Explicit = l, true
		qq := url.Values{}
		for k, v := range q {
			qq[k] = v
		}
		pg.Other = append(pg.Other, linkView{URL: o.link(p, qq), Title: texts[l]["language"]})
	}
	return pg
}

func render(w io.Writer, name string, p *page) error {
	return pages.ExecuteTemplate(w, name, p)
}

// content is the snapshot's visible entries in the page's language: when the tenant
// has entries in it, only those; otherwise every entry (a knowledge base written in
// one language still shows to visitors of the other).
type content struct {
	site   Site
	snap   *knowledge.Snapshot
	now    time.Time
	locale string // "" for all
}

func newContent(site Site, snap *knowledge.Snapshot, now time.Time) content {
	c := content{site: site, snap: snap, now: now}
	for _, f := range snap.Corpus.FAQs {
		if f.Locale == site.Lang && knowledge.Visible(f.ExpiresAt, now) {
			c.locale = site.Lang
			return c
		}
	}
	for _, a := range snap.Corpus.Articles {
		if a.Locale == site.Lang && knowledge.Visible(a.ExpiresAt, now) {
			c.locale = site.Lang
			return c
		}
	}
	return c
}

// entries lists the visible entries filed in a category (uuid.Nil: in none),
// articles first, each kind in the order published.
func (c content) entries(cat uuid.UUID) []linkView {
	var out []linkView
	in := func(id *uuid.UUID) bool {
		if id == nil {
			return cat == uuid.Nil
		}
		return *id == cat
	}
	for _, a := range c.snap.Corpus.Articles {
		if in(a.CategoryID) && knowledge.Visible(a.ExpiresAt, c.now) && (c.locale == "" || a.Locale == c.locale) {
			out = append(out, linkView{URL: c.site.ArticleURL(a.ID, false), Title: a.Title, Kind: texts[c.site.Lang]["article"]})
		}
	}
	for _, f := range c.snap.Corpus.FAQs {
		if in(f.CategoryID) && knowledge.Visible(f.ExpiresAt, c.now) && (c.locale == "" || f.Locale == c.locale) {
			out = append(out, linkView{URL: c.site.FAQURL(f.ID, false), Title: f.Question, Kind: texts[c.site.Lang]["faq"]})
		}
	}
	return out
}

func (c content) children(parent uuid.UUID) []knowledge.Category {
	var out []knowledge.Category
	for _, x := range c.snap.Corpus.Categories { // ordered: parents first, siblings by position
		p := uuid.Nil
		if x.ParentID != nil {
			p = *x.ParentID
		}
		if p == parent {
			out = append(out, x)
		}
	}
	return out
}

// subtreeHasEntries says whether a category or one below it shows anything.
func (c content) subtreeHasEntries(id uuid.UUID, depth int) bool {
	if len(c.entries(id)) > 0 {
		return true
	}
	if depth > knowledge.MaxCategoryDepth {
		return false
	}
	for _, x := range c.children(id) {
		if c.subtreeHasEntries(x.ID, depth+1) {
			return true
		}
	}
	return false
}

func (c content) categoryView(x knowledge.Category) categoryView {
	v := categoryView{URL: c.site.link("/categories/"+x.ID.String(), nil), Name: knowledge.CategoryName(x, c.site.Lang), Entries: c.entries(x.ID)}
	for _, ch := range c.children(x.ID) {
		if c.subtreeHasEntries(ch.ID, 1) {
			v.Children = append(v.Children, linkView{URL: c.site.link("/categories/"+ch.ID.String(), nil), Title: knowledge.CategoryName(ch, c.site.Lang)})
		}
	}
	return v
}

func (c content) crumbs(parent *uuid.UUID) []linkView {
	var out []linkView
	for cur, ok := c.snap.Category(derefID(parent)); ok && len(out) <= knowledge.MaxCategoryDepth; cur, ok = c.snap.Category(derefID(cur.ParentID)) {
		out = append([]linkView{{URL: c.site.link("/categories/"+cur.ID.String(), nil), Title: knowledge.CategoryName(*cur, c.site.Lang)}}, out...)
	}
	return append([]linkView{{URL: c.site.link("", nil), Title: texts[c.site.Lang]["home"]}}, out...)
}

func derefID(id *uuid.UUID) uuid.UUID {
	if id == nil {
		return uuid.Nil
	}
	return *id
}

// ---- pages ------------------------------------------------------------------------

// Home writes the help centre's front page: the top-level categories with their
// entries, and the entries filed in no category.
func Home(w io.Writer, site Site, snap *knowledge.Snapshot, now time.Time) error {
	c := newContent(site, snap, now)
	p := site.page(site.Name, "", nil)
	for _, x := range c.children(uuid.Nil) {
		if c.subtreeHasEntries(x.ID, 1) {
			p.Categories = append(p.Categories, c.categoryView(x))
		}
	}
	p.Loose = c.entries(uuid.Nil)
	p.Empty = len(p.Categories) == 0 && len(p.Loose) == 0
	return render(w, "home.html", p)
}

// Category writes a category's page. A category not in the snapshot is
// knowledge.ErrCategoryNotFound.
func Category(w io.Writer, site Site, snap *knowledge.Snapshot, id uuid.UUID, now time.Time) error {
	x, ok := snap.Category(id)
	if !ok {
		return knowledge.ErrCategoryNotFound
	}
	c := newContent(site, snap, now)
	v := c.categoryView(*x)
	p := site.page(v.Name, "/categories/"+id.String(), nil)
	p.Crumbs = c.crumbs(x.ParentID)
	p.Categories = []categoryView{v}
	p.Empty = len(v.Entries) == 0 && len(v.Children) == 0
	return render(w, "category.html", p)
}

// Article writes an article's page; an article that is not live (or has expired) is
// knowledge.ErrArticleNotFound. thanks shows the thank-you for feedback.
func Article(w io.Writer, site Site, snap *knowledge.Snapshot, id uuid.UUID, now time.Time, thanks bool) error {
	a, ok := snap.Article(id)
	if !ok || !knowledge.Visible(a.ExpiresAt, now) {
		return knowledge.ErrArticleNotFound
	}
	c := newContent(site, snap, now)
	p := site.page(a.Title, "/articles/"+id.String(), nil)
	p.Crumbs = c.crumbs(a.CategoryID)
	p.Kind, p.HTML, p.Published = "article", template.HTML(a.HTML), a.PublishedAt // sanitised on save
	p.FeedbackURL, p.Thanks = site.link("/articles/"+id.String()+"/feedback", nil), thanks
	return render(w, "entry.html", p)
}

// FAQ writes an FAQ entry's page (the answer for the web channel); one that is not
// live (or has expired) is knowledge.ErrFAQNotFound.
func FAQ(w io.Writer, site Site, snap *knowledge.Snapshot, id uuid.UUID, now time.Time, thanks bool) error {
	f, ok := snap.FAQ(id)
	if !ok || !knowledge.Visible(f.ExpiresAt, now) {
		return knowledge.ErrFAQNotFound
	}
	c := newContent(site, snap, now)
	p := site.page(f.Question, "/faqs/"+id.String(), nil)
	p.Crumbs = c.crumbs(f.CategoryID)
	p.Kind, p.Answer, p.Published = "faq", f.AnswerFor("web"), f.PublishedAt
	p.FeedbackURL, p.Thanks = site.link("/faqs/"+id.String()+"/feedback", nil), thanks
	return render(w, "entry.html", p)
}

// SearchLimit is how many results a search page shows.
const SearchLimit = 20

// Search writes the results of a search (see SearchQuery for the query to run).
func Search(w io.Writer, site Site, q string, res knowledge.SearchResult) error {
	p := site.page(texts[site.Lang]["search"], "/search", url.Values{"q": {q}})
	p.Query, p.Total = q, res.Total
	p.Crumbs = []linkView{{URL: site.link("", nil), Title: texts[site.Lang]["home"]}}
	for _, h := range res.Hits {
		r := resultView{TitleHTML: template.HTML(h.TitleHTML), SnippetHTML: template.HTML(h.SnippetHTML)} // escaped by the search package
		if h.Kind == knowledge.KindFAQ {
			r.URL, r.Kind = site.FAQURL(h.ID, false), texts[site.Lang]["faq"]
		} else {
			r.URL, r.Kind = site.ArticleURL(h.ID, false), texts[site.Lang]["article"]
		}
		p.Results = append(p.Results, r)
	}
	p.Empty = len(p.Results) == 0
	return render(w, "search.html", p)
}

// SearchQuery is the query a search page runs: the visible entries in the page's
// language (as Home shows them).
func SearchQuery(site Site, snap *knowledge.Snapshot, q string, now time.Time) knowledge.SearchQuery {
	return knowledge.SearchQuery{Text: q, Locale: newContent(site, snap, now).locale, Limit: SearchLimit}
}
