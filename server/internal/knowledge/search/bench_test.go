package search

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// The synthetic corpus mixes Chinese and English FAQs and articles at
// realistic lengths: FAQ answers of 60–250 characters (Chinese) or 30–110
// words (English), articles ten times longer, 0–3 similar questions per FAQ.
// Words follow a Zipf distribution over a real customer-service vocabulary
// followed by thousands of pseudo-words, so that term frequencies and the
// number of distinct bigrams look like a real knowledge base, not a toy.

// Function words come first: they are the commonest in real text.
const zhWords = "的 了 是 在 我 您 请 可以 吗 和 后 将 会 已 如何 怎么 " +
	"退款 退货 订单 发货 物流 快递 支付 账户 密码 登录 注册 会员 积分 优惠券 发票 地址 修改 取消 申请 审核 到账 客服 " +
	"工作日 商品 价格 库存 售后 维修 保修 换货 运费 包邮 签收 拒收 配送 门店 自提 预售 定金 尾款 分期 信用卡 微信 支付宝 " +
	"银行卡 余额 提现 充值 绑定 解绑 手机号 验证码 实名认证 身份证 隐私 安全 投诉 建议 评价 活动 规则 说明 流程 时间 多久 " +
	"为什么 能否 是否 需要 我的 您的 前 内 呢 或 及 未 无法 失败 成功 问题 原因 " +
	"处理 联系 查询 查看 页面 点击 进入 选择 填写 提交 确认 返回 重新 操作 设置 通知 短信 邮件 电话 在线 人工 系统 自动 " +
	"原路 退回 金额 部分 全部 包裹 损坏 缺件 错发 补发 催单 延迟 海关 关税 国际 地区 城市 仓库 开具 抬头 税号 电子 纸质"

const zhChars = "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好" +
	"都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此" +
	"实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真" +
	"听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路" +
	"期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统" +
	"色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半"

const enWords = "the to a you your and of is for in i can my it on be will we with this do how " +
	"refund return order shipping delivery payment account password login register member points coupon invoice " +
	"address change cancel request review arrive support business day product price stock warranty repair exchange fee " +
	"free sign reject pickup store preorder deposit balance installment credit card wallet bank withdraw top up bind " +
	"phone verification code identity privacy security complaint feedback rating promotion rule policy process time how " +
	"long why does an within after before are was not failed success " +
	"problem reason handle contact check view page click open select fill submit confirm back again setting notification " +
	"sms email call online agent system automatic original method amount partial full package damaged missing wrong " +
	"resend urge delay customs duty international region city warehouse issue title tax electronic paper subscription " +
	"plan upgrade downgrade trial renew expire charge charged charges charging refunded refunds orders shipped tracking " +
	"number status update app download install device iphone android laptop tablet battery screen accessory size color"

type vocab struct {
	words []string
	zipf  *rand.Zipf
}

func newVocab(r *rand.Rand, real []string, pseudo func() string, extra int) *vocab {
	v := &vocab{words: slices.Clone(real)}
	for range extra {
		v.words = append(v.words, pseudo())
	}
	v.zipf = rand.NewZipf(r, 1.07, 2, uint64(len(v.words)-1))
	return v
}

func (v *vocab) word() string { return v.words[v.zipf.Uint64()] }

type corpusGen struct {
	r      *rand.Rand
	zh, en *vocab
}

func newCorpusGen(seed uint64) *corpusGen {
	r := rand.New(rand.NewPCG(seed, 1))
	chars := []rune(zhChars)
	zhPseudo := func() string {
		n := 2 + r.IntN(2)
		b := make([]rune, n)
		for i := range b {
			b[i] = chars[r.IntN(len(chars))]
		}
		return string(b)
	}
	const cons, vows = "bcdfghjklmnprstvwz", "aeiou"
	enPseudo := func() string {
		var b strings.Builder
		for range 2 + r.IntN(2) {
			b.WriteByte(cons[r.IntN(len(cons))])
			b.WriteByte(vows[r.IntN(len(vows))])
		}
		b.WriteByte(cons[r.IntN(len(cons))])
		return b.String()
	}
	return &corpusGen{
		r:  r,
		zh: newVocab(r, strings.Fields(zhWords), zhPseudo, 3000),
		en: newVocab(r, strings.Fields(enWords), enPseudo, 5000),
	}
}

func (g *corpusGen) zhText(minChars, maxChars int, end string) string {
	target := minChars + g.r.IntN(maxChars-minChars+1)
	var b strings.Builder
	n := 0
	for n < target {
		w := g.zh.word()
		if g.r.IntN(40) == 0 {
			w = []string{"iPhone 15", "AirPods", "App", "VIP", "7", "24 小时", "SKU-" + fmt.Sprint(g.r.IntN(9000)+1000)}[g.r.IntN(7)]
		}
		b.WriteString(w)
		n += len([]rune(w))
		if g.r.IntN(12) == 0 && n < target {
			b.WriteString("，")
		}
	}
	b.WriteString(end)
	return b.String()
}

func (g *corpusGen) enText(minWords, maxWords int, end string) string {
	target := minWords + g.r.IntN(maxWords-minWords+1)
	var b strings.Builder
	for i := range target {
		w := g.en.word()
		if i == 0 || g.r.IntN(10) == 0 {
			w = strings.ToUpper(w[:1]) + w[1:]
			if i > 0 {
				b.WriteString(".")
			}
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	b.WriteString(end)
	return b.String()
}

func (g *corpusGen) docs(n int) []Doc {
	cats := []string{"billing", "shipping", "account", "orders", "returns", "membership", "security", "app", "stores", "promotions", "invoices", "international"}
	docs := make([]Doc, n)
	for i := range docs {
		d := &docs[i]
		d.ID = fmt.Sprintf("kb-%05d", i)
		d.Category = cats[g.r.IntN(len(cats))]
		article := g.r.IntN(5) == 0
		d.Kind = "faq"
		if article {
			d.Kind = "article"
		}
		if i%2 == 0 {
			d.Locale = "zh-CN"
			d.Title = g.zhText(6, 18, "？")
			for range g.r.IntN(4) {
				if !article {
					d.Alt = append(d.Alt, g.zhText(6, 16, ""))
				}
			}
			if article {
				d.Body = g.zhText(600, 2000, "。")
			} else {
				d.Body = g.zhText(60, 250, "。")
			}
			for range g.r.IntN(3) {
				d.Tags = append(d.Tags, g.zh.word())
			}
		} else {
			d.Locale = "en"
			d.Title = g.enText(4, 10, "?")
			for range g.r.IntN(4) {
				if !article {
					d.Alt = append(d.Alt, g.enText(4, 9, ""))
				}
			}
			if article {
				d.Body = g.enText(300, 1000, ".")
			} else {
				d.Body = g.enText(30, 110, ".")
			}
			for range g.r.IntN(3) {
				d.Tags = append(d.Tags, g.en.word())
			}
		}
	}
	return docs
}

// queries are what people type: mostly two or three content words, some
// "how do I …", single characters, mixed script, inflections, and a few pasted
// sentences, which are the slow ones.
func (g *corpusGen) queries(n int) []string {
	zhFunc, enFunc := 16, 22 // leading function words of zhWords and enWords
	content := func(v *vocab, skip int) string {
		for {
			if i := v.zipf.Uint64(); int(i) >= skip {
				return v.words[i]
			}
		}
	}
	qs := make([]string, n)
	for i := range qs {
		switch k := g.r.IntN(100); {
		case k < 40:
			var b strings.Builder
			if g.r.IntN(4) == 0 {
				b.WriteString([]string{"如何", "怎么", "为什么"}[g.r.IntN(3)])
			}
			for range 1 + g.r.IntN(3) {
				b.WriteString(content(g.zh, zhFunc))
			}
			qs[i] = b.String()
		case k < 80:
			ws := make([]string, 1+g.r.IntN(3))
			for j := range ws {
				ws[j] = content(g.en, enFunc)
			}
			qs[i] = strings.Join(ws, " ")
			if g.r.IntN(4) == 0 {
				qs[i] = "how do I " + qs[i]
			}
		case k < 88:
			qs[i] = "iPhone " + content(g.zh, zhFunc)
		case k < 93:
			chars := []rune(content(g.zh, zhFunc))
			qs[i] = string(chars[g.r.IntN(len(chars))])
		case k < 97:
			qs[i] = g.enText(15, 30, "?")
		default:
			qs[i] = g.zhText(30, 60, "？")
		}
	}
	return qs
}

var bench struct {
	once    sync.Once
	docs    []Doc
	queries []string
}

func benchCorpus() ([]Doc, []string) {
	bench.once.Do(func() {
		g := newCorpusGen(42)
		bench.docs = g.docs(10_000)
		bench.queries = g.queries(2_000)
	})
	return bench.docs, bench.queries
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// indexMB is the heap the index adds on top of the documents it references.
func indexMB(docs []Doc) float64 {
	before := heapInUse()
	ix := Build(docs)
	after := heapInUse()
	runtime.KeepAlive(ix)
	return float64(after-before) / (1 << 20)
}

func textMB(docs []Doc) float64 {
	n := 0
	for _, d := range docs {
		n += len(d.Title) + len(d.Body)
		for _, a := range d.Alt {
			n += len(a)
		}
	}
	return float64(n) / (1 << 20)
}

func BenchmarkBuild10k(b *testing.B) {
	docs, _ := benchCorpus()
	runtime.GC()
	var cpu time.Duration
	for b.Loop() {
		c0 := processCPU()
		Build(docs)
		cpu += processCPU() - c0
	}
	b.StopTimer()
	b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/op")
	// After the loop: ResetTimer, which b.Loop calls, drops custom metrics.
	b.ReportMetric(indexMB(docs), "index-MB")
	b.ReportMetric(textMB(docs), "text-MB")
}

func BenchmarkSearch10k(b *testing.B) {
	docs, qs := benchCorpus()
	ix := Build(docs)
	ix.Search(Query{Text: qs[0]}) // warm the scratch pool
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	wall := make([]time.Duration, 0, 1<<16)
	cpu := make([]time.Duration, 0, 1<<16)
	hits := 0
	i := 0
	for b.Loop() {
		c0, t0 := threadCPU(), time.Now()
		res := ix.Search(Query{Text: qs[i%len(qs)], Limit: 10})
		wall = append(wall, time.Since(t0))
		cpu = append(cpu, threadCPU()-c0)
		hits += res.Total
		i++
	}
	b.StopTimer()
	pct := func(d []time.Duration, p float64) float64 {
		return float64(d[int(p*float64(len(d)-1))].Microseconds())
	}
	slices.Sort(wall)
	slices.Sort(cpu)
	b.ReportMetric(pct(wall, 0.50), "p50-µs")
	b.ReportMetric(pct(wall, 0.99), "p99-µs")
	b.ReportMetric(pct(cpu, 0.50), "cpu-p50-µs")
	b.ReportMetric(pct(cpu, 0.99), "cpu-p99-µs")
	b.ReportMetric(float64(hits)/float64(len(wall)), "matches/query")
	b.ReportMetric(indexMB(docs), "index-MB")
}
