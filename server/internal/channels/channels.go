// Package channels manages a tenant's channel instances: one configured connection
// of a connector (web chat, WeChat, email, a third party's plugin) with its settings.
//
// A channel's configuration is validated twice: against the connector's JSON Schema
// (shape, types, required fields) and by the connector itself (ValidateConfig: a
// credential that does not work). Properties the schema marks writeOnly are secrets:
// they are sealed at rest, never returned, and kept when an update sends the mask back.
package channels

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/kefu-io/kefu/server/internal/platform/errs"
	"github.com/kefu-io/kefu/tenants"
)

// Mask replaces a stored secret in API responses; sending it back keeps the secret.
const Mask = "********"

// MaxConfigBytes bounds a channel's configuration document.
const MaxConfigBytes = 64 << 10

// Channel is one configured channel of a tenant.
type Channel struct {
	ID        uuid.UUID       `json:"id"`
	TenantID  uuid.UUID       `json:"tenant_id"`
	Connector string          `json:"connector"`
	Name      string          `json:"name"`
	Config    json.RawMessage `json:"config"` // secrets masked unless read with Secrets
	Enabled   bool            `json:"enabled"`
	CreatedAt time.Time       `json:"created_at"`
	UpdatedAt time.Time       `json:"updated_at"`
}

// Descriptor is what a connector says about itself.
type Descriptor struct {
	Name         string          `json:"name"`
	Version      string          `json:"version"`
	Kind         string          `json:"kind"`
	Capabilities []string        `json:"capabilities"`
	ConfigSchema json.RawMessage `json:"config_schema"`
	State        string          `json:"state"`
}

// Connectors is the plugin host as this engine sees it.
type Connectors interface {
	Describe(name string) (Descriptor, bool)
	List() []Descriptor
	// Validate asks the connector; field problems come back as an *errs.Error.
	Validate(ctx context.Context, connector string, config json.RawMessage) error
	StartChannel(ctx context.Context, connector string, channelID uuid.UUID, config json.RawMessage) error
	StopChannel(ctx context.Context, connector string, channelID uuid.UUID) error
}

// Store persists channels. Secrets is the sealed secret part of the config.
type Store interface {
	Create(ctx context.Context, r *Record) error
	Update(ctx context.Context, r *Record) error
	Delete(ctx context.Context, id uuid.UUID, at time.Time) error
	Get(ctx context.Context, id uuid.UUID) (Record, error)
	List(ctx context.Context) ([]Record, error)
	// TenantOf maps a public channel id to its tenant (ingress knows only the id).
	TenantOf(ctx context.Context, id uuid.UUID) (uuid.UUID, bool, error)
	// ActiveOf lists every enabled channel of a connector across active tenants.
	ActiveOf(ctx context.Context, connector string) ([][2]uuid.UUID, error)
}

// Record is a stored channel: public config and sealed secrets apart.
type Record struct {
	ID        uuid.UUID
	TenantID  uuid.UUID
	Connector string
	Name      string
	Config    json.RawMessage // without secrets
	Secrets   string          // sealed JSON object of the secret properties
	Enabled   bool
	CreatedBy *uuid.UUID
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Sealer encrypts secrets at rest.
type Sealer interface {
	Seal(plaintext, aad []byte) (string, error)
	Open(sealed string, aad []byte) ([]byte, error)
}

// Audit records admin actions.
type Audit interface {
	Record(ctx context.Context, action, targetType, targetID string, data map[string]any) error
}

// Errors.
var (
	ErrNotFound          = errs.New(errs.NotFound, "channel.not-found", "The channel does not exist.")
	ErrUnknownConnector  = errs.New(errs.Unprocessable, "channel.unknown-connector", "No such connector is installed.").WithField("connector")
	ErrNameTaken         = errs.New(errs.Conflict, "channel.name-taken", "A channel with this name already exists.").WithField("name")
	ErrInvalidConfig     = errs.New(errs.Unprocessable, "channel.invalid-config", "The configuration is not valid.")
	ErrConnectorDown     = errs.New(errs.Unavailable, "channel.connector-unavailable", "The connector is not running; try again shortly.")
	ErrConnectorMismatch = errs.New(errs.Unprocessable, "channel.connector-fixed", "A channel's connector cannot be changed; create a new channel.").WithField("connector")
)

// Service manages channels.
type Service struct {
	Store      Store
	Connectors Connectors
	Sealer     Sealer
	Audit      Audit
	Tx         interface {
		InTx(ctx context.Context, fn func(ctx context.Context) error) error
	}
	Now func() time.Time

	mu      sync.Mutex
	schemas map[string]compiled // by connector name + schema bytes
	routes  sync.Map            // channel id → routeEntry
	insts   sync.Map            // channel id → instEntry
}

type compiled struct {
	raw     []byte
	schema  *jsonschema.Schema
	secrets []string
}

type routeEntry struct {
	tenant uuid.UUID
	ok     bool
	at     time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// Input is a create or update request. Nil fields are left unchanged on update.
type Input struct {
	Connector *string
	Name      *string
	Config    json.RawMessage
	Enabled   *bool
}

// Connectors lists installed connectors.
func (s *Service) ListConnectors() []Descriptor { return s.Connectors.List() }

func (s *Service) compile(d Descriptor) (compiled, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.schemas == nil {
		s.schemas = map[string]compiled{}
	}
	if c, ok := s.schemas[d.Name]; ok && bytes.Equal(c.raw, d.ConfigSchema) {
		return c, nil
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(d.ConfigSchema))
	if err != nil {
		return compiled{}, fmt.Errorf("connector %s: config schema: %w", d.Name, err)
	}
	comp := jsonschema.NewCompiler()
	url := "kefu://connectors/" + d.Name + "/config.json"
	if err := comp.AddResource(url, doc); err != nil {
		return compiled{}, fmt.Errorf("connector %s: config schema: %w", d.Name, err)
	}
	sch, err := comp.Compile(url)
	if err != nil {
		return compiled{}, fmt.Errorf("connector %s: config schema: %w", d.Name, err)
	}
	c := compiled{raw: slices.Clone(d.ConfigSchema), schema: sch, secrets: secretProps(d.ConfigSchema)}
	s.schemas[d.Name] = c
	return c, nil
}

// secretProps lists the top-level properties marked writeOnly.
func secretProps(schema []byte) []string {
	var doc struct {
		Properties map[string]struct {
			WriteOnly bool `json:"writeOnly"`
		} `json:"properties"`
	}
	_ = json.Unmarshal(schema, &doc)
	var out []string
	for k, p := range doc.Properties {
		if p.WriteOnly {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

var printer = message.NewPrinter(language.English)

// schemaErrors turns a validation error into field errors ("config.app_id").
func schemaErrors(err error) *errs.Error {
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return ErrInvalidConfig.WithMessage("The configuration is not valid: %v", err)
	}
	var fields []errs.FieldError
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) > 0 {
			for _, c := range e.Causes {
				walk(c)
			}
			return
		}
		path := append([]string{"config"}, e.InstanceLocation...)
		if req, ok := e.ErrorKind.(*kind.Required); ok {
			for _, m := range req.Missing {
				fields = append(fields, errs.FieldError{Field: strings.Join(append(path, m), "."), Message: "This field is required."})
			}
			return
		}
		fields = append(fields, errs.FieldError{Field: strings.Join(path, "."), Message: capitalise(e.ErrorKind.LocalizedString(printer)) + "."})
	}
	walk(ve)
	if len(fields) == 0 {
		return ErrInvalidConfig
	}
	e := ErrInvalidConfig.WithField(fields[0].Field).WithMessage("%s", fields[0].Message)
	e.Fields = fields
	return e
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// prepare validates a full config and splits it into public and secret parts.
func (s *Service) prepare(ctx context.Context, d Descriptor, cfg json.RawMessage) (public json.RawMessage, secrets map[string]json.RawMessage, err error) {
	c, err := s.compile(d)
	if err != nil {
		return nil, nil, errs.New(errs.Internal, "channel.bad-connector-schema", "The connector's configuration schema is broken.").Wrap(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(cfg))
	if err != nil {
		return nil, nil, errs.Invalidf("config", "the configuration must be a JSON object")
	}
	if err := c.schema.Validate(inst); err != nil {
		return nil, nil, schemaErrors(err)
	}
	if err := s.Connectors.Validate(ctx, d.Name, cfg); err != nil {
		return nil, nil, err
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(cfg, &obj); err != nil || obj == nil {
		return nil, nil, errs.Invalidf("config", "the configuration must be a JSON object")
	}
	secrets = map[string]json.RawMessage{}
	for _, k := range c.secrets {
		if v, ok := obj[k]; ok {
			secrets[k] = v
			delete(obj, k)
		}
	}
	public, _ = json.Marshal(obj)
	return public, secrets, nil
}

func aad(r *Record) []byte { return []byte("channel:" + r.TenantID.String() + ":" + r.ID.String()) }

func (s *Service) seal(r *Record, secrets map[string]json.RawMessage) error {
	if len(secrets) == 0 {
		r.Secrets = ""
		return nil
	}
	b, _ := json.Marshal(secrets)
	sealed, err := s.Sealer.Seal(b, aad(r))
	if err != nil {
		return fmt.Errorf("seal channel secrets: %w", err)
	}
	r.Secrets = sealed
	return nil
}

func (s *Service) openSecrets(r *Record) (map[string]json.RawMessage, error) {
	out := map[string]json.RawMessage{}
	if r.Secrets == "" {
		return out, nil
	}
	b, err := s.Sealer.Open(r.Secrets, aad(r))
	if err != nil {
		return nil, fmt.Errorf("open secrets of channel %s: %w", r.ID, err)
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("decode secrets of channel %s: %w", r.ID, err)
	}
	return out, nil
}

// full merges public config and secrets (for the connector).
func (s *Service) full(r *Record) (json.RawMessage, error) {
	sec, err := s.openSecrets(r)
	if err != nil {
		return nil, err
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(r.Config, &obj); err != nil || obj == nil {
		obj = map[string]json.RawMessage{}
	}
	for k, v := range sec {
		obj[k] = v
	}
	return json.Marshal(obj)
}

// masked is the public config with each stored secret shown as Mask.
func masked(r *Record, secretKeys []string) json.RawMessage {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(r.Config, &obj); err != nil || obj == nil {
		obj = map[string]json.RawMessage{}
	}
	for _, k := range secretKeys {
		obj[k] = json.RawMessage(`"` + Mask + `"`)
	}
	b, _ := json.Marshal(obj)
	return b
}

func (s *Service) view(r *Record) Channel {
	var keys []string
	if r.Secrets != "" {
		if sec, err := s.openSecrets(r); err == nil {
			for k := range sec {
				keys = append(keys, k)
			}
			slices.Sort(keys)
		}
	}
	return Channel{ID: r.ID, TenantID: r.TenantID, Connector: r.Connector, Name: r.Name, Config: masked(r, keys),
		Enabled: r.Enabled, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

func validName(n string) (string, error) {
	n = strings.TrimSpace(n)
	if n == "" || utf8.RuneCountInString(n) > 80 {
		return "", errs.Invalidf("name", "a channel needs a name of 1 to 80 characters")
	}
	return n, nil
}

func (s *Service) describe(name string) (Descriptor, error) {
	d, ok := s.Connectors.Describe(name)
	if !ok {
		return Descriptor{}, ErrUnknownConnector
	}
	return d, nil
}

func checkConfigSize(cfg json.RawMessage) error {
	if len(cfg) > MaxConfigBytes {
		return errs.New(errs.TooLarge, "channel.config-too-large", "The configuration is too large.").WithField("config")
	}
	return nil
}

// Create adds a channel and starts it in its connector.
func (s *Service) Create(ctx context.Context, in Input) (Channel, error) {
	tid, err := tenants.Require(ctx)
	if err != nil {
		return Channel{}, err
	}
	if in.Connector == nil || *in.Connector == "" {
		return Channel{}, errs.Invalidf("connector", "choose a connector")
	}
	if in.Name == nil {
		return Channel{}, errs.Invalidf("name", "a channel needs a name")
	}
	name, err := validName(*in.Name)
	if err != nil {
		return Channel{}, err
	}
	d, err := s.describe(*in.Connector)
	if err != nil {
		return Channel{}, err
	}
	cfg := in.Config
	if len(cfg) == 0 || string(cfg) == "null" {
		cfg = json.RawMessage("{}")
	}
	if err := checkConfigSize(cfg); err != nil {
		return Channel{}, err
	}
	public, secrets, err := s.prepare(ctx, d, cfg)
	if err != nil {
		return Channel{}, err
	}
	now := s.now()
	r := Record{ID: uuid.Must(uuid.NewV7()), TenantID: tid, Connector: d.Name, Name: name, Config: public,
		Enabled: in.Enabled == nil || *in.Enabled, CreatedAt: now, UpdatedAt: now}
	if uid, ok := tenants.UserFromContext(ctx); ok {
		r.CreatedBy = &uid
	}
	if err := s.seal(&r, secrets); err != nil {
		return Channel{}, err
	}
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.Store.Create(ctx, &r); err != nil {
			return err
		}
		return s.audit(ctx, "channel.created", r.ID, map[string]any{"connector": r.Connector, "name": r.Name})
	})
	if err != nil {
		return Channel{}, err
	}
	if r.Enabled {
		s.start(ctx, &r)
	}
	return s.view(&r), nil
}

// start tells the connector; a connector that is down picks the channel up from the
// store when it comes back, so a failure here is not the admin's error.
func (s *Service) start(ctx context.Context, r *Record) {
	full, err := s.full(r)
	if err == nil {
		err = s.Connectors.StartChannel(ctx, r.Connector, r.ID, full)
	}
	_ = err
}

func (s *Service) audit(ctx context.Context, action string, id uuid.UUID, data map[string]any) error {
	if s.Audit == nil {
		return nil
	}
	return s.Audit.Record(ctx, action, "channel", id.String(), data)
}

// Update changes a channel. In Config, a secret sent as Mask (or left out) keeps its
// stored value.
func (s *Service) Update(ctx context.Context, id uuid.UUID, in Input) (Channel, error) {
	var r Record
	var restart, stop bool
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if r, err = s.Store.Get(ctx, id); err != nil {
			return err
		}
		if in.Connector != nil && *in.Connector != r.Connector {
			return ErrConnectorMismatch
		}
		changed := map[string]any{}
		if in.Name != nil {
			n, err := validName(*in.Name)
			if err != nil {
				return err
			}
			if n != r.Name {
				changed["name"] = n
				r.Name = n
			}
		}
		if len(in.Config) > 0 && string(in.Config) != "null" {
			if err := checkConfigSize(in.Config); err != nil {
				return err
			}
			d, err := s.describe(r.Connector)
			if err != nil {
				return err
			}
			cfg, err := s.unmask(&r, in.Config)
			if err != nil {
				return err
			}
			public, secrets, err := s.prepare(ctx, d, cfg)
			if err != nil {
				return err
			}
			r.Config = public
			if err := s.seal(&r, secrets); err != nil {
				return err
			}
			changed["config"] = true
			restart = true
		}
		if in.Enabled != nil && *in.Enabled != r.Enabled {
			r.Enabled = *in.Enabled
			changed["enabled"] = r.Enabled
			restart, stop = r.Enabled, !r.Enabled
		}
		if len(changed) == 0 {
			return nil
		}
		r.UpdatedAt = s.now()
		if err := s.Store.Update(ctx, &r); err != nil {
			return err
		}
		return s.audit(ctx, "channel.updated", r.ID, changed)
	})
	if err != nil {
		return Channel{}, err
	}
	s.insts.Delete(id)
	switch {
	case stop:
		_ = s.Connectors.StopChannel(ctx, r.Connector, r.ID)
	case restart && r.Enabled:
		s.start(ctx, &r)
	}
	return s.view(&r), nil
}

// unmask replaces Mask values (and absent secrets) with the stored secrets.
func (s *Service) unmask(r *Record, cfg json.RawMessage) (json.RawMessage, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(cfg, &obj); err != nil || obj == nil {
		return nil, errs.Invalidf("config", "the configuration must be a JSON object")
	}
	sec, err := s.openSecrets(r)
	if err != nil {
		return nil, err
	}
	for k, v := range sec {
		cur, present := obj[k]
		if !present || string(cur) == `"`+Mask+`"` {
			obj[k] = v
		}
	}
	return json.Marshal(obj)
}

// Delete removes a channel; its conversations stay readable.
func (s *Service) Delete(ctx context.Context, id uuid.UUID) error {
	var r Record
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if r, err = s.Store.Get(ctx, id); err != nil {
			return err
		}
		if err := s.Store.Delete(ctx, id, s.now()); err != nil {
			return err
		}
		return s.audit(ctx, "channel.deleted", id, map[string]any{"connector": r.Connector, "name": r.Name})
	})
	if err != nil {
		return err
	}
	s.routes.Delete(id)
	s.insts.Delete(id)
	_ = s.Connectors.StopChannel(ctx, r.Connector, r.ID)
	return nil
}

// Get returns a channel with secrets masked.
func (s *Service) Get(ctx context.Context, id uuid.UUID) (Channel, error) {
	r, err := s.Store.Get(ctx, id)
	if err != nil {
		return Channel{}, err
	}
	return s.view(&r), nil
}

// Public returns a channel's public configuration (no secrets at all) for the widget.
func (s *Service) Public(ctx context.Context, id uuid.UUID) (Channel, error) {
	r, err := s.Store.Get(ctx, id)
	if err != nil {
		return Channel{}, err
	}
	return Channel{ID: r.ID, TenantID: r.TenantID, Connector: r.Connector, Name: r.Name, Config: r.Config, Enabled: r.Enabled}, nil
}

// List returns the tenant's channels.
func (s *Service) List(ctx context.Context) ([]Channel, error) {
	rs, err := s.Store.List(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Channel, len(rs))
	for i := range rs {
		out[i] = s.view(&rs[i])
	}
	return out, nil
}

// Route resolves a public channel id to its tenant, cached briefly: provider webhooks
// and widgets hit this on every message.
func (s *Service) Route(ctx context.Context, id uuid.UUID) (uuid.UUID, error) {
	if v, ok := s.routes.Load(id); ok {
		e := v.(routeEntry)
		if time.Since(e.at) < 30*time.Second {
			if !e.ok {
				return uuid.Nil, ErrNotFound
			}
			return e.tenant, nil
		}
	}
	tid, ok, err := s.Store.TenantOf(ctx, id)
	if err != nil {
		return uuid.Nil, err
	}
	s.routes.Store(id, routeEntry{tenant: tid, ok: ok, at: time.Now()})
	if !ok {
		return uuid.Nil, ErrNotFound
	}
	return tid, nil
}

// Instance is a channel as its connector needs it.
type Instance struct {
	ID        uuid.UUID
	TenantID  uuid.UUID
	Connector string
	Enabled   bool
	Config    json.RawMessage // with secrets
}

// InstanceTTL is how long a channel's instance is cached: every inbound message and
// reply needs it. This node forgets it at once when it changes the channel; other
// nodes see a change (a disabled channel, a rotated secret) within this time.
const InstanceTTL = 3 * time.Second

type instEntry struct {
	in Instance
	at time.Time
}

// Instance returns a channel of the context's tenant with its full configuration.
func (s *Service) Instance(ctx context.Context, id uuid.UUID) (Instance, error) {
	tid, _ := tenants.FromContext(ctx)
	if v, ok := s.insts.Load(id); ok {
		e := v.(instEntry)
		// Only the channel's own tenant is served from the cache: anyone else goes to
		// the store, which answers not found.
		if e.in.TenantID == tid && time.Since(e.at) < InstanceTTL {
			return e.in, nil
		}
	}
	r, err := s.Store.Get(ctx, id)
	if err != nil {
		return Instance{}, err
	}
	full, err := s.full(&r)
	if err != nil {
		return Instance{}, err
	}
	in := Instance{ID: r.ID, TenantID: r.TenantID, Connector: r.Connector, Enabled: r.Enabled, Config: full}
	s.insts.Store(id, instEntry{in: in, at: time.Now()})
	return in, nil
}

// Active lists every enabled channel of a connector with full configuration, across
// tenants (the plugin host starts them when the connector (re)launches).
func (s *Service) Active(ctx context.Context, connector string) ([]Instance, error) {
	pairs, err := s.Store.ActiveOf(ctx, connector)
	if err != nil {
		return nil, err
	}
	out := make([]Instance, 0, len(pairs))
	for _, p := range pairs {
		in, err := s.Instance(tenants.NewContext(ctx, p[0]), p[1])
		if err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	return out, nil
}
