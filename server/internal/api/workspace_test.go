package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/fasthttp/websocket"
	"github.com/google/uuid"

	"github.com/kefu-io/kefu/server/kefutest"
)

// consoleSocket opens a user's console stream.
func consoleSocket(t *testing.T, e *kefutest.Env, tok string) (<-chan frame, func() []frame) {
	t.Helper()
	c, _, err := websocket.DefaultDialer.Dial(wsURL(e, "/api/v1/realtime?access_token="+tok), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	ch, all := readFrames(t, c)
	waitFrame(t, ch, func(f frame) bool { return f["type"] == "ready" })
	return ch, all
}

// TestNotesAndMentions: an internal note reaches the agents (with a mention event for
// the member it names) and never the customer.
func TestNotesAndMentions(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *kefutest.Env) {
		ct := newChatTenant(t, e, "Notes Co", "owner@notes.test")
		kim, kimTok := addAgent(t, e, ct.TenantID, "kim@notes.test", "Kim")
		hook(e, ct.channel, providerToken, map[string]any{"id": "n-1", "from": "cust", "text": "where is my parcel"}).Must(t, http.StatusOK)
		conv := firstConversation(t, e, ct)
		frames, _ := consoleSocket(t, e, kimTok)
		stranger := e.Signup("Other Co", "owner@other-notes.test")
		if r := e.Call("POST", ct.path("/conversations/"+conv+"/notes"), ct.AccessToken, map[string]any{"text": "hi", "mentions": []string{getUserID(t, e, stranger.AccessToken)}}); r.Status != http.StatusBadRequest || r.Code() != "note.bad-mention" {
			t.Errorf("mentioning a stranger → %d %s", r.Status, r.Body)
		}
		n := e.Call("POST", ct.path("/conversations/"+conv+"/notes"), ct.AccessToken, map[string]any{
			"text": "@Kim customer is a VIP, be gentle", "mentions": []string{kim}, "client_id": "note-1"}).Must(t, http.StatusCreated)
		if n.Str("type") != "note" || n.JSON()["mentions"].([]any)[0] != kim {
			t.Fatalf("note = %s", n.Body)
		}
		// A retry is the same note.
		if again := e.Call("POST", ct.path("/conversations/"+conv+"/notes"), ct.AccessToken, map[string]any{"text": "@Kim customer is a VIP, be gentle", "client_id": "note-1"}).Must(t, http.StatusCreated); again.Str("id") != n.Str("id") {
			t.Errorf("a retried note made a second one")
		}
		m := waitFrame(t, frames, func(f frame) bool { return f["type"] == "mention" })
		if m["user_id"] != kim || m["message_id"] != n.Str("id") || m["conversation_id"] != conv {
			t.Errorf("mention event = %v", m)
		}
		msgs := e.Call("GET", ct.path("/conversations/"+conv+"/messages"), kimTok, nil).Must(t, http.StatusOK).Items()
		if last := msgs[len(msgs)-1]; last["type"] != "note" || last["text"] != "@Kim customer is a VIP, be gentle" {
			t.Errorf("the note is not in the conversation: %v", last)
		}
		for _, s := range e.Provider.Sent() {
			if strings.Contains(s.Text, "VIP") {
				t.Errorf("a note was sent to the customer: %+v", s)
			}
		}
	})
}

// TestTransferWrapUpAndMerge covers the workspace actions on one conversation.
func TestTransferWrapUpAndMerge(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *kefutest.Env) {
		ct := newChatTenant(t, e, "Desk Co", "owner@desk.test")
		lea, leaTok := addAgent(t, e, ct.TenantID, "lea@desk.test", "Lea")
		max, maxTok := addAgent(t, e, ct.TenantID, "max@desk.test", "Max")
		hook(e, ct.channel, providerToken, map[string]any{"id": "d-1", "from": "dora", "text": "invoice question"}).Must(t, http.StatusOK)
		conv := firstConversation(t, e, ct)
		path := ct.path("/conversations/" + conv)
		e.Call("POST", path+"/assign", leaTok, map[string]any{"assignee_id": "me"}).Must(t, http.StatusOK)

		// Transfer to an agent with a note: they get it and the note, within capacity.
		if r := e.Call("POST", path+"/transfer", leaTok, map[string]any{"assignee_id": max, "team_id": uuid.NewString()}); r.Status != http.StatusBadRequest {
			t.Errorf("both targets → %d", r.Status)
		}
		e.Call("PATCH", "/api/v1/me/agent", maxTok, map[string]any{"capacity": 0}).Must(t, http.StatusOK)
		if r := e.Call("POST", path+"/transfer", leaTok, map[string]any{"assignee_id": max}); r.Status != http.StatusConflict || r.Code() != "agent.at-capacity" {
			t.Errorf("transfer to a full agent → %d %s", r.Status, r.Body)
		}
		e.Call("PATCH", "/api/v1/me/agent", maxTok, map[string]any{"capacity": 3}).Must(t, http.StatusOK)
		tr := e.Call("POST", path+"/transfer", leaTok, map[string]any{"assignee_id": max, "note": "billing knows this one"}).Must(t, http.StatusOK)
		if tr.Str("assignee_id") != max {
			t.Errorf("after transfer: %s", tr.Body)
		}
		msgs := e.Call("GET", path+"/messages", maxTok, nil).Must(t, http.StatusOK).Items()
		if last := msgs[len(msgs)-1]; last["type"] != "note" || last["text"] != "billing knows this one" {
			t.Errorf("the transfer note is missing: %v", last)
		}
		// Transfer to a team: it waits in the team's queue and goes to its online member.
		team := e.Call("POST", ct.path("/teams"), ct.AccessToken, map[string]any{"name": "Billing", "members": []map[string]any{{"user_id": lea}}}).Must(t, http.StatusCreated).Str("id")
		e.Call("PATCH", "/api/v1/me/agent", leaTok, map[string]any{"presence": "online"}).Must(t, http.StatusOK)
		e.Call("POST", path+"/transfer", maxTok, map[string]any{"team_id": team}).Must(t, http.StatusOK)
		waitFor(t, "the team's member to get it", func() bool {
			c := e.Call("GET", path, ct.AccessToken, nil).Must(t, http.StatusOK)
			return c.Str("assignee_id") == lea && c.Str("team_id") == team
		})

		// Wrap-up: required with a list of categories.
		e.Call("PUT", ct.path("/routing/settings"), ct.AccessToken, map[string]any{"wrap_up": map[string]any{"mode": "required", "categories": []string{"Billing", "Shipping"}}}).Must(t, http.StatusOK)
		if w := e.Call("GET", ct.path("/wrap-up"), leaTok, nil).Must(t, http.StatusOK); w.Str("mode") != "required" {
			t.Errorf("wrap-up = %s", w.Body)
		}
		if r := e.Call("POST", path+"/resolve", leaTok, nil); r.Status != http.StatusBadRequest || r.Code() != "wrapup.required" || r.Str("field") != "category" {
			t.Errorf("resolve without a category → %d %s", r.Status, r.Body)
		}
		if r := e.Call("POST", path+"/resolve", leaTok, map[string]any{"category": "Weather"}); r.Status != http.StatusBadRequest || r.Str("field") != "category" {
			t.Errorf("an unknown category → %d %s", r.Status, r.Body)
		}
		res := e.Call("POST", path+"/resolve", leaTok, map[string]any{"category": "Billing", "summary": "sent a corrected invoice"}).Must(t, http.StatusOK)
		if res.Str("status") != "resolved" || res.Str("wrapup_category") != "Billing" || res.Str("wrapup_summary") != "sent a corrected invoice" {
			t.Errorf("resolved = %s", res.Body)
		}

		// Merge: the same person wrote on a second channel; after merging the contacts,
		// their two conversations merge into one.
		ch2 := e.Call("POST", ct.path("/channels"), ct.AccessToken, map[string]any{"connector": "test", "name": "Second line",
			"config": map[string]any{"token": providerToken}}).Must(t, http.StatusCreated).Str("id")
		hook(e, ch2, providerToken, map[string]any{"id": "d-2", "from": "dora-2", "text": "also this"}).Must(t, http.StatusOK)
		var other string
		for _, c := range e.Call("GET", ct.path("/conversations"), ct.AccessToken, nil).Must(t, http.StatusOK).Items() {
			if c["id"] != conv {
				other = c["id"].(string)
			}
		}
		contactOf := func(id string) string {
			return e.Call("GET", ct.path("/conversations/"+id), ct.AccessToken, nil).Must(t, http.StatusOK).Str("contact.id")
		}
		if r := e.Call("POST", path+"/merge", ct.AccessToken, map[string]any{"conversation_id": other}); r.Status != http.StatusBadRequest || r.Code() != "conversation.merge-other-contact" {
			t.Errorf("merging another contact's conversation → %d %s", r.Status, r.Body)
		}
		e.Call("POST", ct.path("/contacts/"+contactOf(conv)+"/merge"), ct.AccessToken, map[string]any{"contact_id": contactOf(other)}).Must(t, http.StatusOK)
		mine := e.Call("GET", ct.path("/conversations?contact_id="+contactOf(conv)+"&status=all"), ct.AccessToken, nil).Must(t, http.StatusOK).Items()
		if len(mine) != 2 {
			t.Fatalf("the contact's conversations = %d, want 2", len(mine))
		}
		e.Call("POST", path+"/merge", ct.AccessToken, map[string]any{"conversation_id": other}).Must(t, http.StatusOK)
		if c := e.Call("GET", ct.path("/conversations/"+other), ct.AccessToken, nil).Must(t, http.StatusOK); c.Str("status") != "closed" {
			t.Errorf("the merged conversation is %s, want closed", c.Str("status"))
		}
		texts := ""
		for _, m := range e.Call("GET", path+"/messages", ct.AccessToken, nil).Must(t, http.StatusOK).Items() {
			texts += m["text"].(string) + "|"
		}
		if !strings.Contains(texts, "invoice question") || !strings.Contains(texts, "also this") {
			t.Errorf("the kept conversation's messages: %s", texts)
		}
	})
}

// TestCannedResponses: shared ones need kb:edit, personal ones are private, shortcuts
// are unique, and rendering fills the conversation's variables.
func TestCannedResponses(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *kefutest.Env) {
		ct := newChatTenant(t, e, "Canned Co", "owner@canned.test")
		_, ivyTok := addAgent(t, e, ct.TenantID, "ivy@canned.test", "Ivy")
		_, jonTok := addAgent(t, e, ct.TenantID, "jon@canned.test", "Jon")
		base := ct.path("/canned-responses")
		shared := e.Call("POST", base, ct.AccessToken, map[string]any{"scope": "shared", "shortcut": "/refund", "title": "Refund",
			"text": "Hi {{customer.name}}, your refund for order {{customer.order_number}} is on its way. — {{agent.name}}{{customer.missing}}"}).Must(t, http.StatusCreated)
		if shared.Str("shortcut") != "refund" {
			t.Errorf("the leading / is not stripped: %s", shared.Body)
		}
		if r := e.Call("POST", base, ivyTok, map[string]any{"scope": "shared", "shortcut": "x", "title": "x", "text": "x"}); r.Status != http.StatusForbidden {
			t.Errorf("an agent creating a shared one → %d", r.Status)
		}
		if r := e.Call("POST", base, ct.AccessToken, map[string]any{"scope": "shared", "shortcut": "REFUND", "title": "x", "text": "x"}); r.Status != http.StatusConflict || r.Code() != "canned.shortcut-taken" {
			t.Errorf("a taken shortcut → %d %s", r.Status, r.Body)
		}
		if r := e.Call("POST", base, ivyTok, map[string]any{"scope": "personal", "shortcut": "bad shortcut", "title": "x", "text": "x"}); r.Status != http.StatusBadRequest || r.Str("field") != "shortcut" {
			t.Errorf("a shortcut with a space → %d %s", r.Status, r.Body)
		}
		mine := e.Call("POST", base, ivyTok, map[string]any{"scope": "personal", "shortcut": "refund", "title": "My refund", "text": "Ivy's words"}).Must(t, http.StatusCreated)
		if got := e.Call("GET", base, ivyTok, nil).Must(t, http.StatusOK).Items(); len(got) != 2 {
			t.Errorf("Ivy sees %d, want the shared one and her own", len(got))
		}
		if got := e.Call("GET", base+"?q=ivy", jonTok, nil).Must(t, http.StatusOK).Items(); len(got) != 0 {
			t.Errorf("Jon sees Ivy's personal response: %v", got)
		}
		if r := e.Call("PATCH", base+"/"+mine.Str("id"), jonTok, map[string]any{"text": "pwned"}); r.Status != http.StatusNotFound {
			t.Errorf("Jon editing Ivy's → %d", r.Status)
		}
		if r := e.Call("DELETE", base+"/"+shared.Str("id"), ivyTok, nil); r.Status != http.StatusForbidden {
			t.Errorf("an agent deleting a shared one → %d", r.Status)
		}
		// Rendering for a conversation.
		hook(e, ct.channel, providerToken, map[string]any{"id": "c-1", "from": "zoe", "name": "Zoe", "text": "refund?"}).Must(t, http.StatusOK)
		conv := firstConversation(t, e, ct)
		contact := e.Call("GET", ct.path("/conversations/"+conv), ct.AccessToken, nil).Must(t, http.StatusOK).Str("contact.id")
		e.Call("PATCH", ct.path("/contacts/"+contact), ivyTok, map[string]any{"name": "Zoe", "attributes": map[string]string{"order_number": "A-1001"}, "tags": []string{"VIP"}}).Must(t, http.StatusOK)
		out := e.Call("POST", base+"/"+shared.Str("id")+"/render", ivyTok, map[string]any{"conversation_id": conv}).Must(t, http.StatusOK)
		if want := "Hi Zoe, your refund for order A-1001 is on its way. — Ivy"; out.Str("text") != want {
			t.Errorf("rendered %q, want %q", out.Str("text"), want)
		}
		if r := e.Call("PATCH", ct.path("/contacts/"+contact), ivyTok, map[string]any{"attributes": map[string]string{"bad key": "x"}}); r.Status != http.StatusBadRequest || r.Str("field") != "attributes" {
			t.Errorf("a bad attribute name → %d %s", r.Status, r.Body)
		}
	})
}

// TestTypingNamesTheAgent: other agents see who types (for a collision warning).
func TestTypingNamesTheAgent(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *kefutest.Env) {
		ct := newChatTenant(t, e, "Typing Co", "owner@typing.test")
		uma, umaTok := addAgent(t, e, ct.TenantID, "uma@typing.test", "Uma")
		_, vicTok := addAgent(t, e, ct.TenantID, "vic@typing.test", "Vic")
		hook(e, ct.channel, providerToken, map[string]any{"id": "t-1", "from": "cust", "text": "hello"}).Must(t, http.StatusOK)
		conv := firstConversation(t, e, ct)
		frames, _ := consoleSocket(t, e, vicTok)
		e.Call("POST", ct.path("/conversations/"+conv+"/typing"), umaTok, nil).Must(t, http.StatusNoContent)
		f := waitFrame(t, frames, func(f frame) bool { return f["type"] == "typing" && f["from"] == "agent" })
		if f["user_id"] != uma || f["name"] != "Uma" {
			t.Errorf("typing frame = %v, want Uma's id and name", f)
		}
	})
}
