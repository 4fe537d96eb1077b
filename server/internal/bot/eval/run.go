package eval

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/kefu-io/kefu/server/internal/bot/nlu"
)

// Report is the outcome of one evaluation. Pointer fields are null in JSON where
// they do not apply (no out-of-scope rows).
type Report struct {
	Dataset         string  `json:"dataset"`
	Accuracy        float64 `json:"accuracy"`
	MacroF1         float64 `json:"macro_f1"`
	InScopeAccuracy float64 `json:"in_scope_accuracy"`
	// InScopeTop1 is the in-scope accuracy of the top entry whatever its score: the
	// matcher's ranking quality apart from the threshold.
	InScopeTop1 float64  `json:"in_scope_top1"`
	OOSRecall   *float64 `json:"oos_recall"`
	Threshold   *float64 `json:"threshold"`
	// Rule names how Threshold was chosen on val; Other is the test figure at the
	// threshold the other rule chooses, for comparison (both null without OOS rows).
	Rule       string          `json:"threshold_rule,omitempty"`
	Other      *OperatingPoint `json:"other_rule,omitempty"`
	P50ms      float64         `json:"p50_ms"`
	P99ms      float64         `json:"p99_ms"`
	Entries    int             `json:"entries"`
	TrainRows  int             `json:"train_rows"`
	TestRows   int             `json:"test_rows"`
	BuildMs    float64         `json:"build_ms"`
	IndexBytes int             `json:"index_bytes"`
	Worst      []Intent        `json:"worst_intents"`
	Options    nlu.Options     `json:"options"`
}

// Intent is a per-intent figure with what it was mistaken for.
type Intent struct {
	Label      string      `json:"label"`
	F1         float64     `json:"f1"`
	Support    int         `json:"support"`
	Confusions []Confusion `json:"confusions"`
}

// Confusion counts test rows of one intent answered with another.
type Confusion struct {
	Predicted string `json:"predicted"`
	Count     int    `json:"count"`
}

// OperatingPoint is the in-scope accuracy and out-of-scope recall at a threshold.
type OperatingPoint struct {
	Rule            string  `json:"rule"`
	Threshold       float64 `json:"threshold"`
	InScopeAccuracy float64 `json:"in_scope_accuracy"`
	OOSRecall       float64 `json:"oos_recall"`
}

// ThresholdRule says how the answer threshold is chosen on the validation split.
type ThresholdRule struct {
	// Balanced maximises the mean of in-scope accuracy and out-of-scope recall.
	Balanced bool
	// OOSTarget (when not Balanced) is the val out-of-scope recall to reach: the
	// lowest threshold that refuses at least this share of out-of-scope queries,
	// which answers as many in-scope queries as that allows (default 0.70).
	OOSTarget float64
}

// DefaultOOSTarget is the out-of-scope recall the default rule aims for on val.
const DefaultOOSTarget = 0.70

func (r ThresholdRule) String() string {
	if r.Balanced {
		return "balanced"
	}
	return fmt.Sprintf("oos-target %.2f", r.target())
}

func (r ThresholdRule) target() float64 {
	if r.OOSTarget <= 0 {
		return DefaultOOSTarget
	}
	return min(r.OOSTarget, 1)
}

// Choose returns the rule's threshold for m on val (0 when val has no out-of-scope
// row or no in-scope row).
func (r ThresholdRule) Choose(m *nlu.Model, val []Example, oos string) float64 {
	if r.Balanced {
		return ChooseThreshold(m, val, oos)
	}
	return ChooseThresholdForRecall(m, val, oos, r.target())
}

// Run builds a model from ds.Train, picks the answer threshold on ds.Val when the
// dataset has out-of-scope rows (with the default rule), and measures ds.Test.
func Run(ds *Dataset, opt nlu.Options) (*Report, error) {
	return RunRule(ds, opt, ThresholdRule{})
}

// RunRule is Run with the given threshold rule.
func RunRule(ds *Dataset, opt nlu.Options, rule ThresholdRule) (*Report, error) {
	if ds == nil || len(ds.Test) == 0 {
		return nil, errors.New("eval: no test rows")
	}
	entries := EntriesWith(ds.Train, ds.OOSLabel, ds.Questions)
	if len(entries) == 0 {
		return nil, errors.New("eval: no in-scope training rows")
	}
	t0 := time.Now()
	m, err := nlu.Build(entries, opt)
	if err != nil {
		return nil, err
	}
	rep := &Report{
		Dataset:   ds.Name,
		Entries:   m.Entries(),
		TrainRows: len(ds.Train),
		TestRows:  len(ds.Test),
		BuildMs:   ms(time.Since(t0)),
		Options:   opt,
	}
	if b, err := m.MarshalBinary(); err == nil {
		rep.IndexBytes = len(b)
	}
	threshold, other := 0.0, 0.0
	otherRule := ThresholdRule{Balanced: !rule.Balanced, OOSTarget: rule.OOSTarget}
	if ds.OOSLabel != "" {
		threshold = rule.Choose(m, ds.Val, ds.OOSLabel)
		other = otherRule.Choose(m, ds.Val, ds.OOSLabel)
		rep.Threshold = &threshold
		rep.Rule = rule.String()
	}
	preds := make([]string, len(ds.Test))
	otherPreds := make([]string, len(ds.Test))
	var in, top1 int
	lat := make([]time.Duration, len(ds.Test))
	for i, ex := range ds.Test {
		t := time.Now()
		ms := m.Predict(ex.Text, 3)
		lat[i] = time.Since(t)
		preds[i] = decide(ms, threshold, ds.OOSLabel)
		otherPreds[i] = decide(ms, other, ds.OOSLabel)
		if ds.OOSLabel == "" || ex.Label != ds.OOSLabel {
			in++
			if len(ms) > 0 && ms[0].ID == ex.Label {
				top1++
			}
		}
	}
	score(rep, ds.Test, preds, ds.OOSLabel)
	if ds.OOSLabel != "" {
		var alt Report
		score(&alt, ds.Test, otherPreds, ds.OOSLabel)
		rep.Other = &OperatingPoint{Rule: otherRule.String(), Threshold: other, InScopeAccuracy: alt.InScopeAccuracy}
		if alt.OOSRecall != nil {
			rep.Other.OOSRecall = *alt.OOSRecall
		}
	}
	rep.InScopeTop1 = frac(top1, in)
	slices.Sort(lat)
	rep.P50ms = ms(quantile(lat, 0.50))
	rep.P99ms = ms(quantile(lat, 0.99))
	return rep, nil
}

// decide is the bot's decision for one query: the top entry when its confidence
// reaches the threshold, otherwise "out of scope" (clarify or hand off). Without an
// out-of-scope label the bot must always answer.
func decide(ms []nlu.Match, threshold float64, oos string) string {
	if len(ms) == 0 || oos != "" && ms[0].Score < threshold {
		return oos
	}
	return ms[0].ID
}

// ChooseThreshold returns the confidence threshold that maximises the mean of
// in-scope accuracy and out-of-scope recall on val. Weighing the two equally (not
// by their row counts, 30 to 1 in CLINC150) matches what a tenant wants from a bot:
// answer right when it can and admit not knowing otherwise. Returns 0 when val has
// no out-of-scope row.
func ChooseThreshold(m *nlu.Model, val []Example, oos string) float64 {
	type pt struct {
		s       float64
		in, hit bool // in scope; top answer right
	}
	var pts []pt
	var nIn, nOut int
	for _, ex := range val {
		p := pt{in: ex.Label != oos}
		if ms := m.Predict(ex.Text, 1); len(ms) > 0 {
			p.s = ms[0].Score
			p.hit = ms[0].ID == ex.Label
		}
		if p.in {
			nIn++
		} else {
			nOut++
		}
		pts = append(pts, p)
	}
	if nOut == 0 || nIn == 0 {
		return 0
	}
	slices.SortFunc(pts, func(a, b pt) int {
		switch {
		case a.s < b.s:
			return -1
		case a.s > b.s:
			return 1
		}
		return 0
	})
	// threshold just above pts[i-1].s: rows below i are refused
	var hits int
	for _, p := range pts {
		if p.in && p.hit {
			hits++
		}
	}
	best, bestT := -1.0, 0.0
	refusedOut := 0
	for i := 0; i <= len(pts); i++ {
		if i == 0 || i == len(pts) || pts[i].s != pts[i-1].s {
			t := 0.0
			if i > 0 {
				if i < len(pts) {
					t = (pts[i-1].s + pts[i].s) / 2
				} else {
					t = pts[i-1].s + 1e-9
				}
			}
			obj := (float64(hits)/float64(nIn) + float64(refusedOut)/float64(nOut)) / 2
			if obj > best {
				best, bestT = obj, t
			}
		}
		if i < len(pts) {
			if pts[i].in {
				if pts[i].hit {
					hits--
				}
			} else {
				refusedOut++
			}
		}
	}
	return bestT
}

// ChooseThresholdForRecall returns the lowest threshold at which at least target of
// val's out-of-scope rows are refused: the one that answers the most in-scope
// queries subject to that recall. Returns 0 when val has no out-of-scope row or no
// in-scope row.
func ChooseThresholdForRecall(m *nlu.Model, val []Example, oos string, target float64) float64 {
	var in, out []float64
	for _, ex := range val {
		s := 0.0
		if ms := m.Predict(ex.Text, 1); len(ms) > 0 {
			s = ms[0].Score
		}
		if ex.Label == oos {
			out = append(out, s)
		} else {
			in = append(in, s)
		}
	}
	if len(out) == 0 || len(in) == 0 {
		return 0
	}
	slices.Sort(out)
	need := int(math.Ceil(target*float64(len(out)) - 1e-9))
	if need <= 0 {
		return 0
	}
	// refuse the need lowest-scoring out-of-scope rows: a threshold just above the
	// need-th, placed halfway to the next score seen on val so that ties in test
	// scores do not sit on the edge
	t := out[need-1]
	next := math.Inf(1)
	for _, s := range append(in, out...) {
		if s > t && s < next {
			next = s
		}
	}
	if math.IsInf(next, 1) {
		return t + 1e-9
	}
	return (t + next) / 2
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q * float64(len(sorted)-1))
	return sorted[i]
}
