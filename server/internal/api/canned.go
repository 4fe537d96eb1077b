package api

import (
	"errors"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/kefu-io/kefu/server/internal/authz"
	"github.com/kefu-io/kefu/server/internal/canned"
	"github.com/kefu-io/kefu/server/internal/conversation"
	"github.com/kefu-io/kefu/server/internal/platform/errs"
)

func (s *Server) cannedRoutes() {
	if s.chat.Canned == nil {
		return
	}
	const t = "/api/v1/tenants/:tenant_id"
	s.handle("GET", t+"/canned-responses", Tenant, authz.ConversationsRead, s.listCanned)
	s.handle("POST", t+"/canned-responses", Tenant, authz.ConversationsReply, s.createCanned)
	s.handle("PATCH", t+"/canned-responses/:canned_id", Tenant, authz.ConversationsReply, s.updateCanned)
	s.handle("DELETE", t+"/canned-responses/:canned_id", Tenant, authz.ConversationsReply, s.deleteCanned)
	s.handle("POST", t+"/canned-responses/:canned_id/render", Tenant, authz.ConversationsReply, s.renderCanned)
}

// cannedActor is the caller and whether they may manage the shared responses (the
// knowledge editors: kb:edit). An API key acts as no person: it has no personal ones.
func (s *Server) cannedActor(c *fiber.Ctx) (uuid.UUID, bool, error) {
	p := principal(c)
	ok, err := s.id.Allowed(c.UserContext(), p, access(c).Tenant.ID, authz.KBEdit)
	return p.UserID, ok, err
}

func (s *Server) listCanned(c *fiber.Ctx) error {
	rs, err := s.chat.Canned.List(c.UserContext(), principal(c).UserID, c.Query("q"))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": rs})
}

func (s *Server) createCanned(c *fiber.Ctx) error {
	var in struct {
		Scope    *canned.Scope `json:"scope"`
		Shortcut *string       `json:"shortcut"`
		Title    *string       `json:"title"`
		Text     *string       `json:"text"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		ok   bool
	}{{"scope", in.Scope != nil}, {"shortcut", in.Shortcut != nil}, {"title", in.Title != nil}, {"text", in.Text != nil}} {
		if !f.ok {
			return required(f.name)
		}
	}
	user, mayShared, err := s.cannedActor(c)
	if err != nil {
		return err
	}
	if user == uuid.Nil && *in.Scope == canned.Personal {
		return errs.Invalidf("scope", "an API key has no personal canned responses; use scope shared.")
	}
	r, err := s.chat.Canned.Create(c.UserContext(), user, mayShared, canned.Response{Scope: *in.Scope, Shortcut: *in.Shortcut, Title: *in.Title, Text: *in.Text})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(r)
}

func (s *Server) updateCanned(c *fiber.Ctx) error {
	id, err := pathID(c, "canned_id", canned.ErrNotFound)
	if err != nil {
		return err
	}
	var in struct {
		Shortcut *string `json:"shortcut"`
		Title    *string `json:"title"`
		Text     *string `json:"text"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	user, mayShared, err := s.cannedActor(c)
	if err != nil {
		return err
	}
	r, err := s.chat.Canned.Update(c.UserContext(), user, mayShared, id, canned.Patch{Shortcut: in.Shortcut, Title: in.Title, Text: in.Text})
	if err != nil {
		return err
	}
	return c.JSON(r)
}

func (s *Server) deleteCanned(c *fiber.Ctx) error {
	id, err := pathID(c, "canned_id", canned.ErrNotFound)
	if err != nil {
		return err
	}
	user, mayShared, err := s.cannedActor(c)
	if err != nil {
		return err
	}
	if err := s.chat.Canned.Delete(c.UserContext(), user, mayShared, id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// renderCanned fills a canned response in for one conversation: its customer's name,
// email, phone and custom attributes, and the caller's name.
func (s *Server) renderCanned(c *fiber.Ctx) error {
	id, err := pathID(c, "canned_id", canned.ErrNotFound)
	if err != nil {
		return err
	}
	var in struct {
		ConversationID *string `json:"conversation_id"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.ConversationID == nil {
		return required("conversation_id")
	}
	cid, err := uuid.Parse(*in.ConversationID)
	if err != nil {
		return errs.Invalidf("conversation_id", "conversation_id must be a conversation id.")
	}
	ctx := c.UserContext()
	user := principal(c).UserID
	r, err := s.chat.Canned.Visible(ctx, user, id)
	if err != nil {
		return err
	}
	cv, err := s.chat.Conversations.Get(ctx, cid)
	if err != nil {
		return err
	}
	ct, err := s.chat.Conversations.Contact(ctx, cv.ContactID)
	if err != nil && !errors.Is(err, conversation.ErrContactNotFound) {
		return err
	}
	v := canned.Vars{CustomerName: ct.Name, CustomerEmail: ct.Email, CustomerPhone: ct.Phone, Attributes: ct.Attributes}
	if user != uuid.Nil {
		if u, err := s.id.GetUser(ctx, user); err == nil {
			v.AgentName = u.Name
		}
	}
	return c.JSON(fiber.Map{"text": canned.Render(r.Text, v)})
}
