package app

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/kefu-io/kefu/server/internal/bot"
	"github.com/kefu-io/kefu/server/internal/channels"
	"github.com/kefu-io/kefu/server/internal/knowledge"
	"github.com/kefu-io/kefu/tenants"
)

// demoFAQs are a newcomer's first knowledge base: enough for the bot on the demo
// website channel to answer, suggest and hand off in both languages.
var demoFAQs = []struct {
	locale, question, answer string
	similar                  []string
}{
	{"zh-CN", "退款多久到账", "退款审核通过后，款项会在 1-3 个工作日内原路退回，银行卡可能需要 3-7 个工作日。",
		[]string{"退款什么时候到账", "钱什么时候退回来", "退款一般要几天", "申请了退款还没收到钱"}},
	{"zh-CN", "怎么申请退款", "在“我的订单”中找到订单，点击“申请退款”，选择原因并提交即可。",
		[]string{"我要退款", "如何退款", "退款在哪里申请", "不想要了能退钱吗"}},
	{"zh-CN", "怎么查物流", "在“我的订单”中点击“查看物流”，可以看到快递公司和运单号。",
		[]string{"我的快递到哪了", "物流信息在哪看", "包裹什么时候到", "查一下快递"}},
	{"zh-CN", "怎么开发票", "订单完成后，在订单详情页点击“申请发票”，填写抬头和税号即可，电子发票会发送到您的邮箱。",
		[]string{"发票在哪里开", "我要开增值税发票", "可以开发票吗", "电子发票怎么申请"}},
	{"zh-CN", "忘记密码怎么办", "在登录页点击“忘记密码”，用注册手机号接收验证码即可重置密码。",
		[]string{"密码忘了", "怎么重置密码", "找回密码", "登录密码不记得了"}},
	{"en", "How long does a refund take?", "Once approved, refunds go back to the original payment method within 1-3 business days (cards may take 3-7).",
		[]string{"when will I get my money back", "refund still not received", "how many days for a refund", "where is my refund"}},
	{"en", "How do I track my order?", "Open My Orders and click Track: you will see the carrier and the tracking number.",
		[]string{"where is my package", "track my parcel", "has my order shipped", "delivery status"}},
}

// seedDemoBot gives the demo tenant a website channel with the bot on it and a few
// published FAQs. It runs once, when the demo tenant is created; a failure leaves a
// working demo without the bot (logged).
func (m *Main) seedDemoBot(ctx context.Context, tenantID, ownerID uuid.UUID) error {
	ctx = tenants.NewContext(ctx, tenantID)
	ctx = tenants.NewUserContext(ctx, ownerID)
	for _, f := range demoFAQs {
		q, a, loc, sim := f.question, f.answer, f.locale, f.similar
		e, err := m.Knowledge.Create(ctx, knowledge.KindFAQ, knowledge.Input{Question: &q, Answer: &a, Locale: &loc, SimilarQuestions: &sim})
		if err != nil {
			return fmt.Errorf("demo FAQ: %w", err)
		}
		if _, err := m.Knowledge.Publish(ctx, knowledge.KindFAQ, e.ID); err != nil {
			return fmt.Errorf("publish demo FAQ: %w", err)
		}
	}
	conn, name := "web", "Website"
	ch, err := m.chat.channels.Create(ctx, channels.Input{Connector: &conn, Name: &name, Config: []byte(`{}`)})
	if err != nil {
		return fmt.Errorf("demo web channel: %w", err)
	}
	set := bot.DefaultSettings()
	set.Channels = []uuid.UUID{ch.ID}
	set.Greeting = "您好，我是智能客服，有什么可以帮您？\nHi, I am the assistant. How can I help?"
	if _, err := m.chat.bot.UpdateSettings(ctx, bot.SettingsUpdate{Settings: set}); err != nil {
		return fmt.Errorf("demo bot settings: %w", err)
	}
	return nil
}
