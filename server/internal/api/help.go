package api

import (
	"bytes"
	"context"
	"errors"
	"mime"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/kefu-io/kefu/server/internal/helpcenter"
	"github.com/kefu-io/kefu/server/internal/knowledge"
	"github.com/kefu-io/kefu/server/internal/platform/errs"
	"github.com/kefu-io/kefu/server/internal/platform/ratelimit"
	"github.com/kefu-io/kefu/tenants"
)

// The public help centre: a tenant's live knowledge base as HTML pages, by the
// tenant's slug. Its pages are anonymous; the tenant comes from the slug, never from
// the request's other parts, and an id of another tenant's entry is simply not in this
// tenant's snapshot.

// ErrHelpCenterNotFound is a slug that names no active tenant.
var ErrHelpCenterNotFound = errs.New(errs.NotFound, "help.not-found", "There is no such help centre.")

// errFeedbackThrottled: one address sent too many "was this helpful?" answers.
var errFeedbackThrottled = errs.New(errs.TooManyRequests, "help.throttled", "Too many answers from your address; try again later.")

// feedbackRule bounds the answers one client address may count: enough for a person
// reading many pages, too few to skew the counts.
var feedbackRule = ratelimit.Rule{Name: "help-feedback", Limit: 30, Window: 10 * time.Minute}

// maxFeedbackBody bounds a feedback request: a form or JSON of one field.
const maxFeedbackBody = 1 << 10

// maxHelpQuery bounds the search text read from the query string (the search package
// truncates at the same length).
const maxHelpQuery = 256

func (s *Server) helpRoutes() {
	const h = "/help/:slug"
	s.handle("GET", h, Public, "", s.helpHome)
	s.handle("GET", h+"/search", Public, "", s.helpSearch)
	s.handle("GET", h+"/categories/:category_id", Public, "", s.helpCategory)
	s.handle("GET", h+"/articles/:article_id", Public, "", s.helpEntry(kbKinds[0]))
	s.handle("GET", h+"/faqs/:faq_id", Public, "", s.helpEntry(kbKinds[1]))
	s.handle("POST", h+"/articles/:article_id/feedback", Public, "", s.helpFeedback(kbKinds[0]))
	s.handle("POST", h+"/faqs/:faq_id/feedback", Public, "", s.helpFeedback(kbKinds[1]))
}

// helpHeaders go on every help-centre response, errors included.
func helpHeaders(c *fiber.Ctx) {
	c.Set(fiber.HeaderContentSecurityPolicy, helpcenter.CSP)
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderReferrerPolicy, "same-origin")
	c.Set(fiber.HeaderXFrameOptions, "DENY")
	// Revalidate every time: an archived entry must not live on in a cache.
	c.Set(fiber.HeaderCacheControl, "no-cache")
}

// helpSite resolves the slug to an active tenant and scopes the context to it.
func (s *Server) helpSite(c *fiber.Ctx) (context.Context, helpcenter.Site, error) {
	slug := c.Params("slug")
	if _, err := uuid.Parse(slug); err == nil || slug == "" || len(slug) > 64 {
		return nil, helpcenter.Site{}, ErrHelpCenterNotFound // by slug only, not by tenant id
	}
	t, err := s.tenants.Resolve(c.UserContext(), slug)
	if errors.Is(err, tenants.ErrNotFound) || err == nil && t.Status != tenants.Active {
		return nil, helpcenter.Site{}, ErrHelpCenterNotFound
	}
	if err != nil {
		return nil, helpcenter.Site{}, err
	}
	lang, explicit := helpcenter.Lang(c.Query("lang"), c.Get(fiber.HeaderAcceptLanguage), t.Locale)
	ctx := tenants.NewContext(c.UserContext(), t.ID)
	c.SetUserContext(ctx)
	return ctx, helpcenter.Site{Slug: t.Slug, Name: t.Name, Lang: lang, Explicit: explicit}, nil
}

// helpPage resolves the tenant, renders a page into a buffer (so that an error is a
// clean error response, not half a page) and sends it.
func (s *Server) helpPage(c *fiber.Ctx, render func(buf *bytes.Buffer, site helpcenter.Site, snap *knowledge.Snapshot, now time.Time) error) error {
	helpHeaders(c)
	ctx, site, err := s.helpSite(c)
	if err != nil {
		return err
	}
	snap, err := s.opts.Knowledge.Snapshot(ctx)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := render(&buf, site, snap, time.Now()); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderContentLanguage, site.Lang)
	c.Set(fiber.HeaderVary, fiber.HeaderAcceptLanguage)
	return c.Send(buf.Bytes())
}

func (s *Server) helpHome(c *fiber.Ctx) error {
	return s.helpPage(c, func(buf *bytes.Buffer, site helpcenter.Site, snap *knowledge.Snapshot, now time.Time) error {
		return helpcenter.Home(buf, site, snap, now)
	})
}

func (s *Server) helpCategory(c *fiber.Ctx) error {
	return s.helpPage(c, func(buf *bytes.Buffer, site helpcenter.Site, snap *knowledge.Snapshot, now time.Time) error {
		id, err := pathID(c, "category_id", knowledge.ErrCategoryNotFound)
		if err != nil {
			return err
		}
		return helpcenter.Category(buf, site, snap, id, now)
	})
}

func (s *Server) helpEntry(k kbKind) fiber.Handler {
	return func(c *fiber.Ctx) error {
		return s.helpPage(c, func(buf *bytes.Buffer, site helpcenter.Site, snap *knowledge.Snapshot, now time.Time) error {
			id, err := pathID(c, k.param, knowledge.NotFound(k.kind))
			if err != nil {
				return err
			}
			thanks := c.Query("feedback") == "thanks"
			if k.kind == knowledge.KindFAQ {
				return helpcenter.FAQ(buf, site, snap, id, now, thanks)
			}
			return helpcenter.Article(buf, site, snap, id, now, thanks)
		})
	}
}

func (s *Server) helpSearch(c *fiber.Ctx) error {
	return s.helpPage(c, func(buf *bytes.Buffer, site helpcenter.Site, snap *knowledge.Snapshot, now time.Time) error {
		q := strings.TrimSpace(c.Query("q"))
		if r := []rune(q); len(r) > maxHelpQuery {
			q = string(r[:maxHelpQuery])
		}
		var res knowledge.SearchResult
		if q != "" {
			res = snap.Search(helpcenter.SearchQuery(site, snap, q, now), now)
		}
		return helpcenter.Search(buf, site, q, res)
	})
}

// helpFeedback counts a "was this helpful?" answer: from the page's form (answered
// with a redirect back to the page) or as JSON (answered 204).
func (s *Server) helpFeedback(k kbKind) fiber.Handler {
	return func(c *fiber.Ctx) error {
		helpHeaders(c)
		c.Set(fiber.HeaderCacheControl, "no-store")
		if len(c.Body()) > maxFeedbackBody {
			return errs.New(errs.TooLarge, "request.too-large", "The request body is too large.")
		}
		mt, _, _ := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
		form := mt == fiber.MIMEApplicationForm || mt == fiber.MIMEMultipartForm
		var helpful bool
		if form {
			switch strings.ToLower(strings.TrimSpace(c.FormValue("helpful"))) {
			case "true", "1", "yes":
				helpful = true
			case "false", "0", "no":
			case "":
				return required("helpful")
			default:
				return errs.Invalidf("helpful", "helpful must be true or false.")
			}
		} else {
			var in struct {
				Helpful *bool `json:"helpful"`
			}
			if err := decode(c, &in); err != nil {
				return err
			}
			if in.Helpful == nil {
				return required("helpful")
			}
			helpful = *in.Helpful
		}
		ctx, site, err := s.helpSite(c)
		if err != nil {
			return err
		}
		id, err := pathID(c, k.param, knowledge.NotFound(k.kind))
		if err != nil {
			return err
		}
		if l := s.opts.Limiter; l != nil {
			ip := localString(c, localClientIP)
			wait, err := l.Blocked(ctx, feedbackRule, ip)
			if err != nil {
				// Counts are not worth an outage: without Redis, answers go uncounted
				// by address rather than refused.
				s.log.WarnContext(ctx, "help centre: feedback throttle unavailable", "err", err)
			} else if wait > 0 {
				e := *errFeedbackThrottled
				e.RetryAfter = max(int(wait.Round(time.Second)/time.Second), 1)
				return &e
			}
			if err := l.Hit(ctx, feedbackRule, ip); err != nil {
				s.log.WarnContext(ctx, "help centre: feedback throttle unavailable", "err", err)
			}
		}
		if err := s.opts.Knowledge.Feedback(ctx, k.kind, id, helpful); err != nil {
			return err
		}
		if !form {
			return c.SendStatus(fiber.StatusNoContent)
		}
		to := site.ArticleURL(id, true)
		if k.kind == knowledge.KindFAQ {
			to = site.FAQURL(id, true)
		}
		return c.Redirect(to, fiber.StatusSeeOther)
	}
}
