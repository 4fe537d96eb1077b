package api

import (
	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/kefu-io/kefu/server/internal/authz"
	"github.com/kefu-io/kefu/server/internal/bot"
	"github.com/kefu-io/kefu/server/internal/conversation"
	"github.com/kefu-io/kefu/server/internal/pipeline"
	"github.com/kefu-io/kefu/server/internal/platform/errs"
)

func (s *Server) botRoutes() {
	if s.chat.Bot == nil {
		return
	}
	const t = "/api/v1/tenants/:tenant_id"
	s.handle("GET", t+"/bot/settings", Tenant, authz.BotManage, s.getBotSettings)
	s.handle("PUT", t+"/bot/settings", Tenant, authz.BotManage, s.putBotSettings)
	s.handle("GET", t+"/bot/model", Tenant, authz.BotManage, s.getBotModel)
	s.handle("POST", t+"/bot/try", Tenant, authz.BotManage, s.tryBot)
	s.handle("GET", t+"/bot/unanswered", Tenant, authz.BotManage, s.listUnanswered)
	s.handle("POST", t+"/bot/unanswered/resolve", Tenant, authz.KBEdit, s.resolveUnanswered)
	s.handle("GET", t+"/conversations/:conversation_id/bot-turns", Tenant, authz.ConversationsRead, s.listBotTurns)
	s.handle("POST", "/widget/:channel_id/feedback", Public, "", s.widgetFeedback)
}

func (s *Server) getBotSettings(c *fiber.Ctx) error {
	set, err := s.chat.Bot.Settings(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(set)
}

func (s *Server) putBotSettings(c *fiber.Ctx) error {
	// The settings' fields plus the write-only key; absent fields take their defaults.
	d := bot.DefaultSettings()
	var in struct {
		Channels          []uuid.UUID `json:"channels"`
		AnswerThreshold   float64     `json:"answer_threshold"`
		ClarifyThreshold  float64     `json:"clarify_threshold"`
		Greeting          string      `json:"greeting"`
		FallbackText      string      `json:"fallback_text"`
		ClarifyText       string      `json:"clarify_text"`
		HandoffText       string      `json:"handoff_text"`
		BusinessHoursText string      `json:"business_hours_text"`
		MaxFallbacks      int         `json:"max_fallbacks"`
		HandoffOnNegative bool        `json:"handoff_on_negative"`
		HandoffKeywords   []string    `json:"handoff_keywords"`
		LLM               bot.LLM     `json:"llm"`
		// APIKey: absent keeps the stored key, "" removes it. Never returned.
		APIKey *string `json:"llm_api_key"`
	}
	in.Channels, in.AnswerThreshold, in.ClarifyThreshold, in.Greeting = d.Channels, d.AnswerThreshold, d.ClarifyThreshold, d.Greeting
	in.FallbackText, in.ClarifyText, in.HandoffText, in.BusinessHoursText = d.FallbackText, d.ClarifyText, d.HandoffText, d.BusinessHoursText
	in.MaxFallbacks, in.HandoffOnNegative, in.HandoffKeywords, in.LLM = d.MaxFallbacks, d.HandoffOnNegative, d.HandoffKeywords, d.LLM
	if err := decode(c, &in); err != nil {
		return err
	}
	set := bot.Settings{Channels: in.Channels, AnswerThreshold: in.AnswerThreshold, ClarifyThreshold: in.ClarifyThreshold,
		Greeting: in.Greeting, FallbackText: in.FallbackText, ClarifyText: in.ClarifyText, HandoffText: in.HandoffText,
		BusinessHoursText: in.BusinessHoursText, MaxFallbacks: in.MaxFallbacks, HandoffOnNegative: in.HandoffOnNegative,
		HandoffKeywords: in.HandoffKeywords, LLM: in.LLM}
	set, err := s.chat.Bot.UpdateSettings(c.UserContext(), bot.SettingsUpdate{Settings: set, APIKey: in.APIKey})
	if err != nil {
		return err
	}
	return c.JSON(set)
}

func (s *Server) getBotModel(c *fiber.Ctx) error {
	mi, err := s.chat.Bot.Info(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(mi)
}

func (s *Server) tryBot(c *fiber.Ctx) error {
	var in struct {
		Text        *string `json:"text"`
		ChannelKind string  `json:"channel_kind"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.Text == nil {
		return required("text")
	}
	if len(in.ChannelKind) > 50 {
		return errs.Invalidf("channel_kind", "at most 50 characters")
	}
	d, err := s.chat.Bot.Try(c.UserContext(), *in.Text, in.ChannelKind)
	if err != nil {
		return err
	}
	return c.JSON(d)
}

func (s *Server) listUnanswered(c *fiber.Ctx) error {
	limit, err := queryLimit(c)
	if err != nil {
		return err
	}
	gs, err := s.chat.Bot.Unanswered(c.UserContext(), limit)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": gs})
}

func (s *Server) resolveUnanswered(c *fiber.Ctx) error {
	var in struct {
		TurnIDs  *[]string `json:"turn_ids"`
		Action   *string   `json:"action"`
		FAQID    string    `json:"faq_id"`
		Question string    `json:"question"`
		Similar  []string  `json:"similar"`
		Answer   string    `json:"answer"`
		Locale   string    `json:"locale"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.TurnIDs == nil {
		return required("turn_ids")
	}
	if in.Action == nil {
		return required("action")
	}
	ids := make([]uuid.UUID, 0, len(*in.TurnIDs))
	for _, v := range *in.TurnIDs {
		id, err := uuid.Parse(v)
		if err != nil {
			return errs.Invalidf("turn_ids", "turn_ids must be turn ids.")
		}
		ids = append(ids, id)
	}
	if len(in.Similar) > 200 {
		return errs.Invalidf("similar", "at most 200 questions")
	}
	id, n, err := s.chat.Bot.Resolve(c.UserContext(), s.chat.BotKnowledge, bot.Resolution{
		TurnIDs: ids, Action: *in.Action, FAQID: in.FAQID, Question: in.Question, Similar: in.Similar, Answer: in.Answer, Locale: in.Locale})
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"faq_id": id, "reviewed": n})
}

func (s *Server) listBotTurns(c *fiber.Ctx) error {
	id, err := pathID(c, "conversation_id", conversation.ErrConversationNotFound)
	if err != nil {
		return err
	}
	if _, err := s.chat.Conversations.Get(c.UserContext(), id); err != nil {
		return err
	}
	ts, err := s.chat.Bot.Turns(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": ts})
}

// widgetFeedback records a visitor's 👍/👎 on one of the bot's answers in their own
// conversation.
func (s *Server) widgetFeedback(c *fiber.Ctx) error {
	widgetCORS(c)
	id, err := pathID(c, "channel_id", pipeline.ErrChannelNotFound)
	if err != nil {
		return err
	}
	var in struct {
		MessageID *string `json:"message_id"`
		Rating    *int    `json:"rating"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.MessageID == nil {
		return required("message_id")
	}
	if in.Rating == nil {
		return required("rating")
	}
	msg, err := uuid.Parse(*in.MessageID)
	if err != nil {
		return errs.Invalidf("message_id", "message_id must be a message id.")
	}
	cl, err := s.widgetClaims(c, id)
	if err != nil {
		return err
	}
	ctx, cv, err := s.chat.Webchat.Scope(c.UserContext(), cl)
	if err != nil {
		return err
	}
	if cv == nil {
		return bot.ErrTurnNotFound
	}
	if err := s.chat.Bot.Feedback(ctx, cv.ID, msg, *in.Rating); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
