package nlu

import (
	"math"

	"github.com/kefu-io/kefu/server/internal/bot/nlu/vectors"
)

// scratch is the per-query working memory, pooled so that a query allocates
// almost nothing and concurrent queries never share it.
type scratch struct {
	toks    []Token
	raw     []rawFeature
	offs    []int
	q       []feat
	dq      []feat    // word-vector block
	score   []float32 // per entry: linear score
	sim     []float32 // per entry: best question cosine
	best    []int32   // per entry: that question
	touched []int32   // entries with a nonzero score or sim
	mark    []bool    // per entry: in touched
	docSim  []float32 // per question
	docs    []int32   // questions with a nonzero docSim
	top     []cand
}

type cand struct {
	e int32
	s float32
}

func (m *Model) getScratch() *scratch {
	if s, ok := m.pool.Get().(*scratch); ok {
		return s
	}
	n := len(m.ids)
	return &scratch{
		score:  make([]float32, n),
		sim:    make([]float32, n),
		best:   make([]int32, n),
		mark:   make([]bool, n),
		docSim: make([]float32, len(m.docs)),
	}
}

// Predict returns up to k entries that best answer text, best first. It returns
// nothing for a query with no feature the model knows (empty, all punctuation, or
// in a script the FAQ never uses).
func (m *Model) Predict(text string, k int) []Match {
	if m == nil || k <= 0 || len(m.ids) == 0 || m.voc == nil {
		return nil
	}
	s := m.getScratch()
	defer m.pool.Put(s)
	s.toks = appendTokens(s.toks[:0], Normalize(text))
	s.raw, s.offs = m.cfg.extract(s.raw[:0], s.toks, s.offs)
	s.q = m.voc.vectorize(s.q, s.raw, m.cfg.CharWeight)
	if len(s.q) == 0 {
		return nil
	}
	s.touched = s.touched[:0]
	touch := func(e int32) {
		if !s.mark[e] {
			s.mark[e] = true
			s.touched = append(s.touched, e)
		}
	}
	s.docs = s.docs[:0]
	for _, f := range s.q {
		a, b := m.lin.start[f.id], m.lin.start[f.id+1]
		for j := a; j < b; j++ {
			e := m.lin.idx[j]
			s.score[e] += f.v * m.lin.w[j]
			touch(e)
		}
		a, b = m.knn.start[f.id], m.knn.start[f.id+1]
		for j := a; j < b; j++ {
			d := m.knn.idx[j]
			if s.docSim[d] == 0 {
				s.docs = append(s.docs, d)
			}
			s.docSim[d] += f.v * m.knn.w[j]
		}
	}
	for _, d := range s.docs {
		e := m.docOf[d]
		touch(e)
		if v := s.docSim[d]; v > s.sim[e] || s.best[e] == 0 && s.sim[e] == 0 {
			s.sim[e], s.best[e] = v, d+1 // +1: zero means none
		}
		s.docSim[d] = 0
	}
	if m.bias != nil {
		// a linear model scores every entry through its bias
		for e := range m.ids {
			touch(int32(e))
		}
	}
	if m.denseW != nil {
		s.dq = m.meanVector(s.dq[:0], s.toks, 0)
		if len(s.dq) == vectors.Dim {
			for e := range m.ids {
				w := m.denseW[e*vectors.Dim : (e+1)*vectors.Dim]
				var v float32
				for i, f := range s.dq {
					v += f.v * w[i]
				}
				s.score[e] += v
			}
		}
	}

	// combined scores, then a softmax over all entries for the confidence; entries
	// never touched score 0 and join the normaliser in bulk
	maxS := float32(math.Inf(-1))
	for _, e := range s.touched {
		v := s.score[e] + m.knnWeight*s.sim[e]
		if m.bias != nil {
			v += m.bias[e]
		}
		s.score[e] = v
		maxS = max(maxS, v)
	}
	untouched := len(m.ids) - len(s.touched)
	if untouched > 0 {
		maxS = max(maxS, 0)
	}
	invT := 1 / float64(m.temperature)
	var z float64
	if untouched > 0 {
		z = float64(untouched) * math.Exp(-float64(maxS)*invT)
	}
	s.top = s.top[:0]
	k = min(k, len(s.touched))
	for _, e := range s.touched {
		v := s.score[e]
		z += math.Exp(float64(v-maxS) * invT)
		s.top = pushTop(s.top, cand{e, v}, k)
	}
	out := make([]Match, len(s.top))
	for i, c := range s.top {
		q := m.first[c.e]
		if b := s.best[c.e]; b > 0 {
			q = b - 1
		}
		p := math.Exp(float64(c.s-maxS)*invT) / z
		if m.simPower > 0 {
			p = math.Pow(p, 1-float64(m.simPower)) * math.Pow(min(float64(s.sim[c.e]), 1), float64(m.simPower))
		}
		if i > 0 {
			// the ranking is the model's; the similarity term must not make a
			// runner-up look more confident than the answer above it
			p = min(p, out[i-1].Score)
		}
		out[i] = Match{ID: m.ids[c.e], Score: p}
		if q >= 0 {
			out[i].Question = m.docs[q]
		}
	}
	for _, e := range s.touched {
		s.score[e], s.sim[e], s.best[e], s.mark[e] = 0, 0, 0, false
	}
	return out
}

// pushTop keeps the k best candidates in descending order; ties go to the lower
// entry index so that results do not depend on the order entries were touched.
func pushTop(top []cand, c cand, k int) []cand {
	if k == 0 {
		return top
	}
	better := func(a, b cand) bool { return a.s > b.s || a.s == b.s && a.e < b.e }
	if len(top) == k {
		if !better(c, top[k-1]) {
			return top
		}
		top = top[:k-1]
	}
	i := len(top)
	top = append(top, c)
	for i > 0 && better(c, top[i-1]) {
		top[i] = top[i-1]
		i--
	}
	top[i] = c
	return top
}
