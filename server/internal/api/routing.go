package api

import (
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/kefu-io/kefu/server/internal/authz"
	"github.com/kefu-io/kefu/server/internal/conversation"
	"github.com/kefu-io/kefu/server/internal/platform/errs"
	"github.com/kefu-io/kefu/server/internal/routing"
)

func (s *Server) routingRoutes() {
	if s.chat.Routing == nil {
		return
	}
	const v1 = "/api/v1"
	const t = v1 + "/tenants/:tenant_id"
	s.handle("GET", v1+"/me/agent", User, "", s.getMyAgent)
	s.handle("PATCH", v1+"/me/agent", User, "", s.updateMyAgent)
	s.handle("GET", t+"/agents", Tenant, authz.ConversationsRead, s.listAgents)
	s.handle("PATCH", t+"/agents/:user_id", Tenant, authz.RoutingManage, s.updateAgent)
	s.handle("GET", t+"/teams", Tenant, authz.ConversationsRead, s.listTeams)
	s.handle("POST", t+"/teams", Tenant, authz.RoutingManage, s.createTeam)
	s.handle("GET", t+"/teams/:team_id", Tenant, authz.ConversationsRead, s.getTeam)
	s.handle("PATCH", t+"/teams/:team_id", Tenant, authz.RoutingManage, s.updateTeam)
	s.handle("DELETE", t+"/teams/:team_id", Tenant, authz.RoutingManage, s.deleteTeam)
	s.handle("GET", t+"/routing/settings", Tenant, authz.RoutingManage, s.getRoutingSettings)
	s.handle("PUT", t+"/routing/settings", Tenant, authz.RoutingManage, s.putRoutingSettings)
	s.handle("GET", t+"/queue", Tenant, authz.ConversationsRead, s.getQueue)
	s.handle("GET", t+"/wrap-up", Tenant, authz.ConversationsRead, s.getWrapUp)
	s.handle("POST", t+"/conversations/:conversation_id/transfer", Tenant, authz.ConversationsAssign, s.transfer)
}

func (s *Server) getWrapUp(c *fiber.Ctx) error {
	w, err := s.chat.Routing.WrapUp(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(w)
}

// transfer hands a conversation to an agent (within their capacity) or to a team's
// queue, with an optional note the receiving agent finds in the conversation (and, for
// an agent, is notified of as a mention).
func (s *Server) transfer(c *fiber.Ctx) error {
	id, err := pathID(c, "conversation_id", conversation.ErrConversationNotFound)
	if err != nil {
		return err
	}
	var in struct {
		AssigneeID *uuid.UUID `json:"assignee_id"`
		TeamID     *uuid.UUID `json:"team_id"`
		Note       string     `json:"note"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	if (in.AssigneeID == nil) == (in.TeamID == nil) {
		return errs.Invalidf("assignee_id", "Give exactly one of assignee_id and team_id.")
	}
	if utf8.RuneCountInString(in.Note) > conversation.MaxTextLen {
		return errs.Invalidf("note", "note can be at most %d characters.", conversation.MaxTextLen)
	}
	ctx := c.UserContext()
	var cv conversation.Conversation
	var mentions []uuid.UUID
	if in.AssigneeID != nil {
		if cv, err = s.chat.Conversations.Assign(ctx, id, in.AssigneeID); err != nil {
			return err
		}
		mentions = []uuid.UUID{*in.AssigneeID}
	} else {
		if err := s.chat.Routing.MoveToTeam(ctx, id, *in.TeamID); err != nil {
			return err
		}
		if _, err := s.chat.Conversations.Assign(ctx, id, nil); err != nil {
			return err
		}
		// Already waiting (no state change, so no trigger): serve the new queue now.
		if err := s.chat.Routing.Route(ctx, id); err != nil {
			s.log.Warn("transfer: routing failed; the sweep retries", "err", err)
		}
		if cv, err = s.chat.Conversations.Get(ctx, id); err != nil {
			return err
		}
	}
	if strings.TrimSpace(in.Note) != "" {
		if _, err := s.chat.Conversations.AddNote(ctx, id, conversation.Note{Text: in.Note, Mentions: mentions}); err != nil {
			return err
		}
	}
	return s.conversationResult(c, cv, nil)
}

// agentInput is the body of both agent PATCHes.
type agentInput struct {
	Presence        *routing.Presence `json:"presence"`
	Capacity        *int              `json:"capacity"`
	ChannelCapacity *map[string]int   `json:"channel_capacity"`
}

func (in agentInput) update() routing.AgentUpdate {
	return routing.AgentUpdate{Presence: in.Presence, Capacity: in.Capacity, ChannelCapacity: in.ChannelCapacity}
}

func (s *Server) getMyAgent(c *fiber.Ctx) error {
	a, err := s.chat.Routing.Me(c.UserContext(), principal(c).UserID)
	if err != nil {
		return err
	}
	return c.JSON(a)
}

func (s *Server) updateMyAgent(c *fiber.Ctx) error {
	var in agentInput
	if err := decode(c, &in); err != nil {
		return err
	}
	a, err := s.chat.Routing.UpdateMe(c.UserContext(), principal(c).UserID, in.update())
	if err != nil {
		return err
	}
	return c.JSON(a)
}

func (s *Server) listAgents(c *fiber.Ctx) error {
	as, err := s.chat.Routing.Agents(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": as})
}

func (s *Server) updateAgent(c *fiber.Ctx) error {
	id, err := pathID(c, "user_id", routing.ErrAgentNotFound)
	if err != nil {
		return err
	}
	var in agentInput
	if err := decode(c, &in); err != nil {
		return err
	}
	v, err := s.chat.Routing.UpdateAgent(c.UserContext(), id, in.update())
	if err != nil {
		return err
	}
	return c.JSON(v)
}

// teamInput is a team's writable fields; absent fields keep their value on PATCH.
type teamInput struct {
	Name     *string               `json:"name"`
	Strategy *routing.Strategy     `json:"strategy"`
	Settings *routing.TeamSettings `json:"settings"`
	Members  *[]struct {
		UserID uuid.UUID `json:"user_id"`
		Skills []string  `json:"skills"`
	} `json:"members"`
}

func (in teamInput) patch() routing.TeamPatch {
	p := routing.TeamPatch{Name: in.Name, Strategy: in.Strategy, Settings: in.Settings}
	if in.Members != nil {
		ms := make([]routing.Member, len(*in.Members))
		for i, m := range *in.Members {
			ms[i] = routing.Member{UserID: m.UserID, Skills: m.Skills}
		}
		p.Members = &ms
	}
	return p
}

func (s *Server) listTeams(c *fiber.Ctx) error {
	ts, err := s.chat.Routing.Teams(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": ts})
}

func (s *Server) createTeam(c *fiber.Ctx) error {
	var in teamInput
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.Name == nil {
		return required("name")
	}
	p := in.patch()
	t := routing.Team{Name: *in.Name}
	if p.Strategy != nil {
		t.Strategy = *p.Strategy
	}
	if p.Settings != nil {
		t.Settings = *p.Settings
	}
	if p.Members != nil {
		t.Members = *p.Members
	}
	t, err := s.chat.Routing.CreateTeam(c.UserContext(), t)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(t)
}

func (s *Server) getTeam(c *fiber.Ctx) error {
	id, err := pathID(c, "team_id", routing.ErrTeamNotFound)
	if err != nil {
		return err
	}
	t, err := s.chat.Routing.Team(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(t)
}

func (s *Server) updateTeam(c *fiber.Ctx) error {
	id, err := pathID(c, "team_id", routing.ErrTeamNotFound)
	if err != nil {
		return err
	}
	var in teamInput
	if err := decode(c, &in); err != nil {
		return err
	}
	t, err := s.chat.Routing.UpdateTeam(c.UserContext(), id, in.patch())
	if err != nil {
		return err
	}
	return c.JSON(t)
}

func (s *Server) deleteTeam(c *fiber.Ctx) error {
	id, err := pathID(c, "team_id", routing.ErrTeamNotFound)
	if err != nil {
		return err
	}
	if err := s.chat.Routing.DeleteTeam(c.UserContext(), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) getRoutingSettings(c *fiber.Ctx) error {
	set, err := s.chat.Routing.Settings(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(set)
}

func (s *Server) putRoutingSettings(c *fiber.Ctx) error {
	set := routing.DefaultSettings()
	if err := decode(c, &set); err != nil {
		return err
	}
	set, err := s.chat.Routing.PutSettings(c.UserContext(), set)
	if err != nil {
		return err
	}
	return c.JSON(set)
}

func (s *Server) getQueue(c *fiber.Ctx) error {
	o, err := s.chat.Routing.Overview(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(o)
}
