// Package authz decides what a subject (a user or an API key) may do inside
// one tenant of kefu.
//
// Authorization is casbin RBAC with domains, the domain being the tenant ID
// taken from a verified token or path, and every match exact (see modelText):
// a grant in one tenant never applies in another, whatever the role names.
// Built-in roles (roles.go) live in code so that upgrading kefu updates them;
// custom roles and role assignments live in the database behind a
// PolicySource, read one tenant at a time through Adapter.
//
// Enforcer loads tenants lazily, keeps the most recently used ones, and
// rereads a tenant when told it changed (Enforcer.Changed, RedisWatcher
// across processes) or at the latest after Options.TTL.
//
// The package imports no other kefu package and no web or database
// framework: the rest of the server plugs in through PolicySource and
// Publisher.
package authz
