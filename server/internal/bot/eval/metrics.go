package eval

import (
	"cmp"
	"slices"
)

// score fills the accuracy figures of rep from the test rows and the bot's answers.
func score(rep *Report, test []Example, preds []string, oos string) {
	type counts struct{ tp, fp, fn, support int }
	per := make(map[string]*counts)
	get := func(l string) *counts {
		c := per[l]
		if c == nil {
			c = &counts{}
			per[l] = c
		}
		return c
	}
	confused := make(map[string]map[string]int)
	var right, in, inRight, out, outRight int
	for i, ex := range test {
		p := preds[i]
		isOOS := oos != "" && ex.Label == oos
		if isOOS {
			out++
		} else {
			in++
		}
		get(ex.Label).support++
		if p == ex.Label {
			right++
			get(p).tp++
			if isOOS {
				outRight++
			} else {
				inRight++
			}
			continue
		}
		get(ex.Label).fn++
		get(p).fp++
		if confused[ex.Label] == nil {
			confused[ex.Label] = make(map[string]int)
		}
		confused[ex.Label][p]++
	}
	rep.Accuracy = frac(right, len(test))
	rep.InScopeAccuracy = frac(inRight, in)
	if oos != "" && out > 0 {
		r := frac(outRight, out)
		rep.OOSRecall = &r
	}
	// macro-F1 over the labels that occur in the test set (out of scope included as
	// a class when present)
	var intents []Intent
	var sum float64
	for l, c := range per {
		if c.support == 0 {
			continue
		}
		f1 := frac(2*c.tp, 2*c.tp+c.fp+c.fn)
		sum += f1
		it := Intent{Label: l, F1: f1, Support: c.support}
		for p, n := range confused[l] {
			it.Confusions = append(it.Confusions, Confusion{Predicted: p, Count: n})
		}
		slices.SortFunc(it.Confusions, func(a, b Confusion) int {
			return cmp.Or(b.Count-a.Count, cmp.Compare(a.Predicted, b.Predicted))
		})
		if len(it.Confusions) > 3 {
			it.Confusions = it.Confusions[:3]
		}
		intents = append(intents, it)
	}
	if len(intents) > 0 {
		rep.MacroF1 = sum / float64(len(intents))
	}
	slices.SortFunc(intents, func(a, b Intent) int {
		return cmp.Or(cmp.Compare(a.F1, b.F1), cmp.Compare(a.Label, b.Label))
	})
	rep.Worst = intents[:min(5, len(intents))]
}

func frac(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}
