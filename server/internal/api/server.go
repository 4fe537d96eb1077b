// Package api is kefu's HTTP API: Fiber routes and the middleware chain
// request id → log/metrics → authentication → tenant membership → permission → handler.
// Handlers translate JSON to engine calls and back; rules live in the engines.
package api

import (
	"context"
	"log/slog"
	"net/netip"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/kefu-io/kefu/server/internal/audit"
	"github.com/kefu-io/kefu/server/internal/authz"
	"github.com/kefu-io/kefu/server/internal/identity"
	"github.com/kefu-io/kefu/server/internal/knowledge"
	"github.com/kefu-io/kefu/server/internal/platform/logging"
	"github.com/kefu-io/kefu/server/internal/platform/ratelimit"
	"github.com/kefu-io/kefu/tenants"
)

// Access says who may call a route.
type Access int

const (
	Public   Access = iota // anyone
	User                   // a logged-in user (not an API key)
	Operator               // a platform operator
	Member                 // a member (or API key) of the tenant in the path, no further permission
	Tenant                 // a member holding Route.Perm in the tenant in the path
)

// Route is a registered endpoint with its access rule; tests enumerate these.
type Route struct {
	Method string
	Path   string
	Access Access
	Perm   authz.Permission
}

// Options configures the server.
type Options struct {
	Logger         *slog.Logger
	BodyLimit      int
	TrustedProxies []string
	// Ready reports whether dependencies (database, Redis) are reachable.
	Ready func(ctx context.Context) map[string]error
	// Registry receives HTTP metrics; nil uses a private one.
	Registry *prometheus.Registry
	// Console serves the web console for GET/HEAD paths no route claims (nil: none).
	Console fiber.Handler
	// Chat are the channel, conversation, realtime and widget collaborators.
	Chat Chat
	// Knowledge is the knowledge base (the /kb routes and the help centre).
	Knowledge *knowledge.Service
	// Limiter throttles the help centre's feedback per client address (nil: none).
	Limiter *ratelimit.Limiter
}

// Server is the HTTP API.
type Server struct {
	app     *fiber.App
	id      *identity.Service
	tenants *tenants.Service
	audit   *audit.Log
	log     *slog.Logger
	opts    Options
	routes  []Route
	chat    Chat
	metrics *httpMetrics
	proxies []netip.Prefix // Options.TrustedProxies, parsed
}

// New builds the router.
func New(id *identity.Service, ts *tenants.Service, al *audit.Log, o Options) *Server {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.BodyLimit <= 0 {
		o.BodyLimit = 1 << 20
	}
	if o.Registry == nil {
		o.Registry = prometheus.NewRegistry()
	}
	s := &Server{id: id, tenants: ts, audit: al, log: o.Logger, opts: o, chat: o.Chat}
	cfg := fiber.Config{
		AppName:               "kefu",
		BodyLimit:             o.BodyLimit,
		ReadBufferSize:        16 << 10, // headers; a JWT is ~0.5 KB, so 16 KB is generous and bounds abuse
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          30 * time.Second,
		IdleTimeout:           120 * time.Second,
		DisableStartupMessage: true,
		ErrorHandler:          s.errorHandler,
		StrictRouting:         false,
		CaseSensitive:         true,
	}
	for _, p := range o.TrustedProxies {
		if pfx, err := netip.ParsePrefix(p); err == nil {
			s.proxies = append(s.proxies, pfx.Masked())
		} else if a, err := netip.ParseAddr(p); err == nil {
			s.proxies = append(s.proxies, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
		}
	}
	if len(o.TrustedProxies) > 0 {
		cfg.EnableTrustedProxyCheck = true
		cfg.TrustedProxies = o.TrustedProxies
		cfg.ProxyHeader = fiber.HeaderXForwardedFor
	}
	s.app = fiber.New(cfg)
	s.metrics = newHTTPMetrics(o.Registry)
	s.app.Use(recover.New(recover.Config{EnableStackTrace: true, StackTraceHandler: func(c *fiber.Ctx, e any) {
		s.log.Error("panic in handler", "request_id", requestID(c), "panic", e)
	}}))
	s.app.Use(s.requestContext)
	s.routesTable()
	return s
}

// App exposes the Fiber app (tests drive it; app.Main listens with it).
func (s *Server) App() *fiber.App { return s.app }

// Routes lists every registered route with its access rule.
func (s *Server) Routes() []Route { return append([]Route(nil), s.routes...) }

// Listen serves on addr until Shutdown.
func (s *Server) Listen(addr string) error { return s.app.Listen(addr) }

// Shutdown stops accepting and waits for in-flight requests.
func (s *Server) Shutdown(ctx context.Context) error { return s.app.ShutdownWithContext(ctx) }

func (s *Server) handle(method, path string, access Access, perm authz.Permission, h fiber.Handler) {
	s.routes = append(s.routes, Route{Method: method, Path: path, Access: access, Perm: perm})
	var chain []fiber.Handler
	switch access {
	case User:
		chain = append(chain, s.requireUser)
	case Operator:
		chain = append(chain, s.requireUser, s.requireOperator)
	case Member, Tenant:
		chain = append(chain, s.requireTenant(perm))
	}
	s.app.Add(method, path, append(chain, h)...)
}

func (s *Server) routesTable() {
	s.handle("GET", "/healthz", Public, "", s.healthz)
	s.handle("GET", "/readyz", Public, "", s.readyz)
	s.handle("GET", "/metrics", Public, "", s.metricsHandler())

	const v1 = "/api/v1"
	s.handle("GET", v1+"/openapi.json", Public, "", s.openapi)
	s.handle("POST", v1+"/signup", Public, "", s.signup)
	s.handle("POST", v1+"/auth/login", Public, "", s.login)
	s.handle("POST", v1+"/auth/refresh", Public, "", s.refresh)
	s.handle("POST", v1+"/auth/logout", User, "", s.logout)
	s.handle("POST", v1+"/auth/password/forgot", Public, "", s.forgotPassword)
	s.handle("POST", v1+"/auth/password/reset", Public, "", s.resetPassword)
	s.handle("POST", v1+"/invitations/lookup", Public, "", s.lookupInvitation)
	s.handle("POST", v1+"/invitations/accept", Public, "", s.acceptInvitation)

	s.handle("GET", v1+"/me", User, "", s.me)
	s.handle("PATCH", v1+"/me", User, "", s.updateMe)
	s.handle("POST", v1+"/me/password", User, "", s.changePassword)
	s.handle("POST", v1+"/me/2fa/enroll", User, "", s.enrollTOTP)
	s.handle("POST", v1+"/me/2fa/confirm", User, "", s.confirmTOTP)
	s.handle("POST", v1+"/me/2fa/disable", User, "", s.disableTOTP)
	s.handle("POST", v1+"/me/2fa/recovery-codes", User, "", s.regenerateRecoveryCodes)

	const t = v1 + "/tenants/:tenant_id"
	s.handle("GET", t, Member, "", s.getTenant)
	s.handle("GET", t+"/settings", Tenant, authz.SettingsRead, s.getSettings)
	s.handle("PATCH", t+"/settings", Tenant, authz.SettingsManage, s.updateSettings)
	s.handle("GET", t+"/members", Tenant, authz.MembersRead, s.listMembers)
	s.handle("PATCH", t+"/members/:member_id", Tenant, authz.MembersManage, s.updateMember)
	s.handle("DELETE", t+"/members/:member_id", Tenant, authz.MembersManage, s.removeMember)
	s.handle("GET", t+"/invitations", Tenant, authz.MembersRead, s.listInvitations)
	s.handle("POST", t+"/invitations", Tenant, authz.MembersManage, s.createInvitation)
	s.handle("DELETE", t+"/invitations/:invitation_id", Tenant, authz.MembersManage, s.revokeInvitation)
	s.handle("GET", t+"/roles", Tenant, authz.RolesRead, s.listRoles)
	s.handle("POST", t+"/roles", Tenant, authz.RolesManage, s.createRole)
	s.handle("GET", t+"/roles/:role_id", Tenant, authz.RolesRead, s.getRole)
	s.handle("PATCH", t+"/roles/:role_id", Tenant, authz.RolesManage, s.updateRole)
	s.handle("DELETE", t+"/roles/:role_id", Tenant, authz.RolesManage, s.deleteRole)
	s.handle("GET", t+"/permissions", Tenant, authz.RolesRead, s.listPermissions)
	s.handle("GET", t+"/api-keys", Tenant, authz.APIKeysManage, s.listAPIKeys)
	s.handle("POST", t+"/api-keys", Tenant, authz.APIKeysManage, s.createAPIKey)
	s.handle("DELETE", t+"/api-keys/:key_id", Tenant, authz.APIKeysManage, s.revokeAPIKey)
	s.handle("GET", t+"/audit-log", Tenant, authz.AuditRead, s.listAudit)

	const p = v1 + "/platform"
	s.handle("GET", p+"/tenants", Operator, "", s.platformTenants)
	s.handle("POST", p+"/tenants/:tenant_id/suspend", Operator, "", s.platformSetStatus(tenants.Suspended))
	s.handle("POST", p+"/tenants/:tenant_id/resume", Operator, "", s.platformSetStatus(tenants.Active))
	s.handle("GET", p+"/plugins", Operator, "", s.platformPlugins)
	s.chatRoutes()
	s.publicChatRoutes()
	s.kbRoutes()
	s.helpRoutes()
	s.botRoutes()
	s.routingRoutes()
	s.cannedRoutes()
	// The console is middleware, not a route: Fiber only answers 405 (rather than 404)
	// for a path registered under another method when no route matched, and a GET
	// catch-all route would match everything.
	if s.opts.Console != nil {
		s.app.Use(func(c *fiber.Ctx) error {
			if c.Method() == fiber.MethodGet || c.Method() == fiber.MethodHead {
				return s.opts.Console(c)
			}
			return c.Next()
		})
	}
}

// ---- middleware ------------------------------------------------------------------

const (
	localRequestID = "request_id"
	localPrincipal = "principal"
	localAccess    = "access"
	localClientIP  = "client_ip"
)

func requestID(c *fiber.Ctx) string {
	if v, ok := c.Locals(localRequestID).(string); ok {
		return v
	}
	return ""
}

func localString(c *fiber.Ctx, k string) string {
	v, _ := c.Locals(k).(string)
	return v
}

func routePattern(c *fiber.Ctx) string {
	if r := c.Route(); r != nil {
		return r.Path
	}
	return ""
}

// requestContext assigns the request id, builds the context engines receive, and logs
// and measures every request when it ends.
func (s *Server) requestContext(c *fiber.Ctx) error {
	start := time.Now()
	rid := c.Get(fiber.HeaderXRequestID)
	if !validRequestID(rid) {
		rid = uuid.Must(uuid.NewV7()).String()
	}
	c.Locals(localRequestID, rid)
	c.Set(fiber.HeaderXRequestID, rid)
	ip := s.clientIP(c)
	c.Locals(localClientIP, ip)
	ctx := logging.WithRequestID(c.UserContext(), rid)
	ctx = audit.WithActor(ctx, audit.Actor{Type: "anonymous", IP: ip, RequestID: rid})
	c.SetUserContext(ctx)
	err := c.Next()
	if err != nil {
		if herr := s.errorHandler(c, err); herr != nil {
			s.log.Error("error handler failed", "err", herr)
		}
	}
	status := c.Response().StatusCode()
	route := routePattern(c)
	s.metrics.observe(c.Method(), route, status, time.Since(start))
	if route != "/healthz" && route != "/metrics" && route != "/readyz" {
		// request_id and tenant_id come from the context (logging.ContextHandler).
		s.log.LogAttrs(c.UserContext(), slog.LevelInfo, "http",
			slog.String("method", c.Method()), slog.String("route", route),
			slog.Int("status", status), slog.Float64("ms", float64(time.Since(start).Microseconds())/1000),
			slog.String("ip", ip))
	}
	return nil
}

// clientIP is the caller's address for throttling, sessions and the audit log. Behind a
// trusted proxy it is the rightmost X-Forwarded-For entry that is not itself a trusted
// proxy: entries further left were written by the client and prove nothing, so
// believing them (as Fiber's c.IP does) would let a client pick a fresh address for
// every attempt. A trusted proxy that sends no usable header is itself the client.
func (s *Server) clientIP(c *fiber.Ctx) string {
	remote, _ := netip.AddrFromSlice(c.Context().RemoteIP())
	remote = remote.Unmap()
	if !s.trustedProxy(remote) {
		return remote.String()
	}
	hops := strings.Split(c.Get(fiber.HeaderXForwardedFor), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		if a = a.Unmap(); !s.trustedProxy(a) {
			return a.String()
		}
	}
	return remote.String()
}

func (s *Server) trustedProxy(a netip.Addr) bool {
	for _, p := range s.proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func validRequestID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r == '-' || r == '_' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

func bearer(c *fiber.Ctx) (string, bool) {
	h := c.Get(fiber.HeaderAuthorization)
	if len(h) < 7 || !strings.EqualFold(h[:7], "bearer ") {
		return "", false
	}
	return strings.TrimSpace(h[7:]), true
}

func (s *Server) authenticateUser(c *fiber.Ctx) (identity.Principal, error) {
	tok, ok := bearer(c)
	if !ok {
		return identity.Principal{}, identity.ErrInvalidToken
	}
	if strings.HasPrefix(tok, "kefu_") {
		return identity.Principal{}, identity.ErrUserOnly
	}
	return s.id.Authenticate(c.UserContext(), tok)
}

func (s *Server) setPrincipal(c *fiber.Ctx, p identity.Principal) {
	c.Locals(localPrincipal, p)
	ctx := c.UserContext()
	a := audit.ActorFrom(ctx)
	if p.IsAPIKey() {
		a.Type, a.ID = "apikey", p.APIKeyID.String()
	} else {
		a.Type, a.ID = "user", p.UserID.String()
		ctx = tenants.NewUserContext(ctx, p.UserID)
	}
	c.SetUserContext(audit.WithActor(ctx, a))
}

func principal(c *fiber.Ctx) identity.Principal {
	p, _ := c.Locals(localPrincipal).(identity.Principal)
	return p
}

func access(c *fiber.Ctx) identity.Access {
	a, _ := c.Locals(localAccess).(identity.Access)
	return a
}

func (s *Server) requireUser(c *fiber.Ctx) error {
	p, err := s.authenticateUser(c)
	if err != nil {
		return err
	}
	s.setPrincipal(c, p)
	return c.Next()
}

func (s *Server) requireOperator(c *fiber.Ctx) error {
	if !principal(c).IsOperator {
		return identity.ErrOperatorOnly
	}
	return c.Next()
}

// requireTenant authenticates (user token or this tenant's API key), checks
// membership — a stranger gets 404, exactly as for a tenant that does not exist — then
// the permission, and scopes the context to the tenant.
func (s *Server) requireTenant(perm authz.Permission) fiber.Handler {
	return func(c *fiber.Ctx) error {
		tid, err := uuid.Parse(c.Params("tenant_id"))
		if err != nil || tid == uuid.Nil {
			// Authenticate first anyway: an anonymous caller learns nothing from a 404.
			if _, ok := bearer(c); !ok {
				return identity.ErrInvalidToken
			}
			return identity.ErrNotMember
		}
		tok, ok := bearer(c)
		if !ok {
			return identity.ErrInvalidToken
		}
		var p identity.Principal
		if strings.HasPrefix(tok, "kefu_") {
			p, err = s.id.AuthenticateAPIKey(c.UserContext(), tid, tok)
		} else {
			p, err = s.id.Authenticate(c.UserContext(), tok)
		}
		if err != nil {
			return err
		}
		s.setPrincipal(c, p)
		ctx := c.UserContext()
		a, err := s.id.TenantAccess(ctx, p, tid)
		if err != nil {
			return err
		}
		c.Locals(localAccess, a)
		ctx = tenants.NewContext(ctx, tid)
		c.SetUserContext(ctx)
		if perm != "" {
			ok, err := s.id.Allowed(ctx, p, tid, perm)
			if err != nil {
				return err
			}
			if !ok {
				return forbidden(perm)
			}
		}
		return c.Next()
	}
}
