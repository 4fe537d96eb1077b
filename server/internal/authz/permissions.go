package authz

import "strings"

// Permission names one action on one kind of resource, in "resource:action"
// form. The object/action split maps directly onto the casbin request
// (r.obj, r.act), so permissions are matched exactly, never as patterns.
type Permission string

// The permission catalogue. Adding a permission means adding it here and to
// catalogue below; built-in roles that grant "every read" pick it up
// automatically (see roles.go).
const (
	MembersRead         Permission = "members:read"
	MembersManage       Permission = "members:manage"
	RolesRead           Permission = "roles:read"
	RolesManage         Permission = "roles:manage"
	APIKeysManage       Permission = "apikeys:manage"
	SettingsRead        Permission = "settings:read"
	SettingsManage      Permission = "settings:manage"
	AuditRead           Permission = "audit:read"
	ConversationsRead   Permission = "conversations:read"
	ConversationsReply  Permission = "conversations:reply"
	ConversationsAssign Permission = "conversations:assign"
	ConversationsManage Permission = "conversations:manage"
	ContactsRead        Permission = "contacts:read"
	ContactsManage      Permission = "contacts:manage"
	TicketsRead         Permission = "tickets:read"
	TicketsManage       Permission = "tickets:manage"
	KBRead              Permission = "kb:read"
	KBEdit              Permission = "kb:edit"
	KBPublish           Permission = "kb:publish"
	ChannelsRead        Permission = "channels:read"
	ChannelsManage      Permission = "channels:manage"
	BotManage           Permission = "bot:manage"
	RoutingManage       Permission = "routing:manage"
	ReportsView         Permission = "reports:view"
	QualityManage       Permission = "quality:manage"
	WebhooksManage      Permission = "webhooks:manage"
)

// PermissionInfo describes a catalogue entry, e.g. for the role editor UI.
type PermissionInfo struct {
	Name        Permission
	Resource    string
	Action      string
	Description string
}

// catalogue is an array, not a slice, so that its length is a compile-time
// constant that sizes permSet.
var catalogue = [...]PermissionInfo{
	info(MembersRead, "View the members of the workspace and their roles."),
	info(MembersManage, "Invite, remove and change the roles of members."),
	info(RolesRead, "View built-in and custom roles."),
	info(RolesManage, "Create, edit and delete custom roles."),
	info(APIKeysManage, "Create and revoke API keys."),
	info(SettingsRead, "View workspace settings."),
	info(SettingsManage, "Change workspace settings."),
	info(AuditRead, "View the audit log."),
	info(ConversationsRead, "View conversations and their messages."),
	info(ConversationsReply, "Reply to conversations and add internal notes."),
	info(ConversationsAssign, "Assign conversations to agents and teams."),
	info(ConversationsManage, "Close, reopen, merge and delete conversations."),
	info(ContactsRead, "View contacts."),
	info(ContactsManage, "Create, edit, merge and delete contacts."),
	info(TicketsRead, "View tickets."),
	info(TicketsManage, "Create, edit, transition and delete tickets."),
	info(KBRead, "View knowledge-base articles, including drafts."),
	info(KBEdit, "Create and edit knowledge-base drafts."),
	info(KBPublish, "Publish and unpublish knowledge-base articles."),
	info(ChannelsRead, "View connected channels (web chat, email, messaging apps)."),
	info(ChannelsManage, "Connect, configure and disconnect channels."),
	info(BotManage, "Configure the bot and its automated answers."),
	info(RoutingManage, "Configure routing rules, queues and business hours."),
	info(ReportsView, "View reports and dashboards."),
	info(QualityManage, "Review conversations and manage quality scorecards."),
	info(WebhooksManage, "Create, edit and delete webhooks."),
}

// Catalogue lists every permission in display order. It is a copy: changing it
// does not change what the engine grants.
var Catalogue = append([]PermissionInfo(nil), catalogue[:]...)

// permIndex maps a permission to its position in catalogue, which is also its
// bit in a permSet.
var permIndex = func() map[Permission]int {
	m := make(map[Permission]int, len(catalogue))
	for i, p := range catalogue {
		m[p.Name] = i
	}
	return m
}()

func info(p Permission, description string) PermissionInfo {
	obj, act := p.Split()
	return PermissionInfo{Name: p, Resource: obj, Action: act, Description: description}
}

// ParsePermission returns s as a Permission if it is in the catalogue.
func ParsePermission(s string) (Permission, bool) {
	if _, ok := permIndex[Permission(s)]; !ok {
		return "", false
	}
	return Permission(s), true
}

// Split returns the casbin object and action of p.
func (p Permission) Split() (obj, act string) {
	obj, act, _ = strings.Cut(string(p), ":")
	return obj, act
}

// permSet is a bitset over catalogue indexes: a subject's effective
// permissions in one tenant, so that a check is a bit test.
type permSet [(len(catalogue) + 63) / 64]uint64

func (s *permSet) add(i int) { s[i/64] |= 1 << (i % 64) }

func (s *permSet) has(i int) bool { return s[i/64]&(1<<(i%64)) != 0 }

func (s *permSet) union(o *permSet) {
	for i := range s {
		s[i] |= o[i]
	}
}

// list returns the members of s in catalogue order.
func (s *permSet) list() []Permission {
	var out []Permission
	for i := range catalogue {
		if s.has(i) {
			out = append(out, catalogue[i].Name)
		}
	}
	return out
}
