package nlu

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/kefu-io/kefu/server/internal/bot/nlu/vectors"
)

// Entry is one FAQ: the standard question first, then its similar questions.
type Entry struct {
	ID        string
	Questions []string
}

// Options tune Build. The zero value gives the defaults, chosen on a held-out fifth
// of BANKING77's training split and on CLINC150's validation split, never on a test
// split (kefu bot eval --holdout 5 / --on-val).
type Options struct {
	// WordNgrams is the longest word n-gram (default 3).
	WordNgrams int
	// CharMin and CharMax bound the character n-grams taken inside words (default
	// 2..5); a negative CharMax turns them off.
	CharMin, CharMax int
	// CharWeight scales the character block against the word block (default 1).
	CharWeight float64
	// C is the SVM's cost: larger fits the training questions more closely (default 1).
	C float64
	// KNNWeight weighs the nearest similar question's cosine against the linear
	// score (default 0.5; negative turns it off).
	KNNWeight float64
	// Temperature of the softmax that turns scores into a confidence (default 0.3).
	Temperature float64
	// SimPower mixes the closest question's cosine into the confidence:
	// score = p^(1-SimPower) · cos^SimPower, so a query that resembles no stored
	// question cannot be confident just because one entry beats the others.
	SimPower float64 // default 0.5; negative: 0
	// WordVectors is the length of the IDF-weighted mean of the text's English
	// word vectors (GloVe, package vectors), appended to the unit-length sparse
	// features of the linear model so that it sees "purchase" near "buy" (default
	// 1; negative: off). The centroid model of large FAQs does not use it.
	WordVectors float64
	// MaxLinearEntries is the size above which the SVM (whose training cost grows
	// with entries × questions) gives way to per-entry centroids (default 1000).
	MaxLinearEntries int
	// MaxIter bounds the SVM's passes per entry (default 50).
	MaxIter int
	// Seed fixes the order in which the SVM visits questions.
	Seed uint64
	// PruneWeight drops linear weights smaller than this in magnitude (default 1e-3).
	PruneWeight float64
	// MaxPostings keeps, for each feature, only the entries and questions where it
	// weighs most (default 400, or 150 for the centroid model; negative keeps all). Features shared by thousands
	// of questions ("how", " th") carry little evidence each but would dominate a
	// query's cost in a large FAQ; this bounds a query's work whatever the FAQ size.
	MaxPostings int
}

func (o Options) withDefaults() Options {
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	defi := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	defi(&o.WordNgrams, 3)
	defi(&o.CharMin, 2)
	defi(&o.CharMax, 5)
	def(&o.CharWeight, 1)
	def(&o.C, 1)
	def(&o.KNNWeight, 0.5)
	def(&o.Temperature, 0.3)
	defi(&o.MaxLinearEntries, 1000)
	defi(&o.MaxIter, 50)
	def(&o.PruneWeight, 1e-3)
	def(&o.SimPower, 0.5)
	def(&o.WordVectors, 1)
	if o.WordVectors < 0 {
		o.WordVectors = 0
	}
	if o.SimPower < 0 {
		o.SimPower = 0
	}
	if o.KNNWeight < 0 {
		o.KNNWeight = 0
	}
	if o.PruneWeight < 0 {
		o.PruneWeight = 0
	}
	return o
}

// Match is one candidate answer.
type Match struct {
	ID string
	// Score is the model's confidence that ID answers the query, in [0,1]: a softmax
	// over all entries, so the scores of all entries add up to one.
	Score float64
	// Question is the entry's question closest to the query.
	Question string
}

// postings is a feature-major sparse matrix: the rows of feature f are
// idx[start[f]:start[f+1]] with weights w[…]. Queries touch only their own features.
type postings struct {
	start []int32
	idx   []int32
	w     []float32
}

// Model matches questions to entries. It is immutable after Build or Load and safe
// for concurrent use.
type Model struct {
	cfg   featureConfig
	voc   *vocab
	ids   []string
	docs  []string // every question, as given
	docOf []int32  // entry of each question
	first []int32  // each entry's first question, -1 if it has none

	lin  postings  // linear weights, feature → entry
	bias []float32 // per entry, nil for centroid models
	knn  postings  // question vectors, feature → question
	// per question, the factor of its word and character blocks (weight = tf·idf ·
	// factor); nil for a model loaded from format 1 or 2
	qfac []float64

	// word-vector block of the linear model: the text's mean vector scaled to
	// length dense, dotted with denseW[e·vectors.Dim:(e+1)·vectors.Dim] for entry
	// e (nil when off)
	dense  float32
	denseW []float32
	maxIDF float32 // IDF given in the mean vector to a word the FAQ never uses

	knnWeight   float32
	temperature float32
	simPower    float32

	pool sync.Pool
}

// Entries is the number of entries the model was built from.
func (m *Model) Entries() int {
	if m == nil {
		return 0
	}
	return len(m.ids)
}

// ErrDuplicateID is returned by Build when two entries share an ID.
var ErrDuplicateID = errors.New("nlu: duplicate entry id")

// Build trains a model. Entries whose questions are all empty are kept (so IDs stay
// stable) but can never be matched. The result depends only on entries and opt.
func Build(entries []Entry, opt Options) (*Model, error) {
	large := len(entries) > opt.withDefaults().MaxLinearEntries
	if opt.MaxPostings == 0 {
		// measured on a synthetic 10k-entry FAQ: 150 keeps p99 under the 2 ms budget
		// on a loaded 2-core box and costs 0.7 points of top-1 against no pruning
		opt.MaxPostings = 400
		if large {
			opt.MaxPostings = 150
		}
	}
	if opt.Temperature < 0 || opt.SimPower > 1 || opt.C < 0 || opt.CharWeight < 0 || opt.WordNgrams < 0 || opt.WordNgrams > 16 || opt.CharMin < 0 || opt.CharMax > 16 {
		return nil, errors.New("nlu: invalid options")
	}
	opt = opt.withDefaults()
	if opt.CharMax > 0 && opt.CharMin > opt.CharMax {
		return nil, errors.New("nlu: CharMin above CharMax")
	}
	m := &Model{
		cfg: featureConfig{
			WordMax:    opt.WordNgrams,
			CharMin:    opt.CharMin,
			CharMax:    opt.CharMax,
			CharWeight: opt.CharWeight,
		},
		knnWeight:   float32(opt.KNNWeight),
		temperature: float32(opt.Temperature),
		simPower:    float32(opt.SimPower),
		ids:         make([]string, len(entries)),
		first:       make([]int32, len(entries)),
	}
	if m.cfg.CharMax < 0 {
		m.cfg.CharMax = 0
	}
	seen := make(map[string]bool, len(entries))
	var raws [][]rawFeature
	var qtoks [][]Token // per question, for the word vectors
	useVectors := !large && opt.WordVectors > 0
	var toks []Token
	var scratch []int
	for e, ent := range entries {
		if seen[ent.ID] {
			return nil, fmt.Errorf("%w: %q", ErrDuplicateID, ent.ID)
		}
		seen[ent.ID] = true
		m.ids[e] = ent.ID
		m.first[e] = -1
		for _, q := range ent.Questions {
			toks = appendTokens(toks[:0], Normalize(q))
			var raw []rawFeature
			raw, scratch = m.cfg.extract(nil, toks, scratch)
			if len(raw) == 0 {
				continue
			}
			if m.first[e] < 0 {
				m.first[e] = int32(len(m.docs))
			}
			m.docs = append(m.docs, q)
			if useVectors {
				qtoks = append(qtoks, slices.Clone(toks))
			}
			m.docOf = append(m.docOf, int32(e))
			raws = append(raws, raw)
		}
	}
	m.voc = buildVocab(raws)
	nFeat := len(m.voc.hashes)
	total := 0
	for _, raw := range raws {
		total += len(raw)
	}
	x := &csr{start: make([]int32, 1, len(raws)+1), norm2: make([]float64, len(raws)), feats: make([]feat, 0, total)}
	var vec []feat
	m.qfac = make([]float64, 0, 2*len(raws))
	for i, raw := range raws {
		var fac [2]float64
		vec, fac = m.voc.vectorizeFac(vec, raw, m.cfg.CharWeight)
		m.qfac = append(m.qfac, fac[0], fac[1])
		x.feats = append(x.feats, vec...)
		x.start = append(x.start, int32(len(x.feats)))
		for _, f := range vec {
			x.norm2[i] += float64(f.v) * float64(f.v)
		}
	}
	raws = nil
	m.knn = transpose(x, nFeat, func(i int) int32 { return int32(i) })
	m.knn.prune(opt.MaxPostings)

	m.maxIDF = maxIDF(m.voc)
	if useVectors {
		m.dense = float32(opt.WordVectors)
		var dvec []feat
		xd := withDense(x, func(i int) []feat {
			dvec = m.meanVector(dvec[:0], qtoks[i], int32(nFeat))
			return dvec
		})
		qtoks = nil
		m.lin, m.bias, m.denseW = trainLinear(xd, m.docOf, len(entries), nFeat, vectors.Dim, opt)
	} else if !large {
		m.lin, m.bias, _ = trainLinear(x, m.docOf, len(entries), nFeat, 0, opt)
	} else {
		m.lin = centroids(x, m.docOf, len(entries), nFeat)
	}
	m.lin.prune(opt.MaxPostings)
	// linear weights are stored as float16; rounding them here makes the built
	// model predict exactly as the loaded one
	roundF16(m.lin.w)
	roundF16(m.denseW)
	return m, nil
}

// transpose turns question rows into feature-major postings; rowID maps a row to
// the index stored in the postings.
func transpose(x *csr, nFeat int, rowID func(int) int32) postings {
	p := postings{start: make([]int32, nFeat+1)}
	for _, f := range x.feats {
		p.start[f.id+1]++
	}
	for f := 0; f < nFeat; f++ {
		p.start[f+1] += p.start[f]
	}
	p.idx = make([]int32, len(x.feats))
	p.w = make([]float32, len(x.feats))
	next := make([]int32, nFeat)
	copy(next, p.start[:nFeat])
	for i := 0; i < x.rows(); i++ {
		id := rowID(i)
		for _, f := range x.row(i) {
			k := next[f.id]
			p.idx[k], p.w[k] = id, f.v
			next[f.id]++
		}
	}
	return p
}

// trainLinear trains on nFeat sparse features followed by nDense dense ones; the
// dense weights come back class-major (nClass·nDense, nil when nDense is 0).
func trainLinear(x *csr, docOf []int32, nClass, nFeat, nDense int, opt Options) (postings, []float32, []float32) {
	params := svmParams{C: opt.C, Bias: 1, Eps: 0.1, MaxIter: opt.MaxIter, Seed: opt.Seed}
	for i := range x.norm2 {
		x.norm2[i] += params.Bias * params.Bias
	}
	defer func() {
		for i := range x.norm2 {
			x.norm2[i] -= params.Bias * params.Bias
		}
	}()
	// weights as class-major rows first, transposed at the end
	w := &csr{start: make([]int32, 1, nClass+1)}
	bias := make([]float32, nClass)
	var dense []float32
	if nDense > 0 {
		dense = make([]float32, 0, nClass*nDense)
	}
	trainOneVsRest(x, docOf, nClass, nFeat+nDense, params, func(c int, wc []float64, b float64) {
		for _, v := range wc[nFeat:] {
			dense = append(dense, float32(v))
		}
		for f, v := range wc[:nFeat] {
			if math.Abs(v) >= opt.PruneWeight && v != 0 {
				w.feats = append(w.feats, feat{id: int32(f), v: float32(v)})
			}
		}
		w.start = append(w.start, int32(len(w.feats)))
		bias[c] = float32(b)
	})
	return transpose(w, nFeat, func(i int) int32 { return int32(i) }), bias, dense
}

// centroids is the linear model for large FAQ sets: each entry's mean question
// vector, normalised (Rocchio). It costs one pass over the questions.
func centroids(x *csr, docOf []int32, nClass, nFeat int) postings {
	w := &csr{start: make([]int32, 1, nClass+1)}
	acc := make(map[int32]float64)
	var ids []int32
	// questions of one entry are contiguous (Build appends them entry by entry)
	row := 0
	for c := 0; c < nClass; c++ {
		clear(acc)
		ids = ids[:0]
		for row < x.rows() && int(docOf[row]) == c {
			for _, f := range x.row(row) {
				if _, ok := acc[f.id]; !ok {
					ids = append(ids, f.id)
				}
				acc[f.id] += float64(f.v)
			}
			row++
		}
		var n2 float64
		for _, id := range ids {
			n2 += acc[id] * acc[id]
		}
		for _, id := range ids {
			w.feats = append(w.feats, feat{id: id, v: float32(acc[id] / math.Sqrt(n2))})
		}
		w.start = append(w.start, int32(len(w.feats)))
	}
	return transpose(w, nFeat, func(i int) int32 { return int32(i) })
}

// prune keeps the n largest weights of every feature's list (impact-ordered static
// pruning), in their original order so that ties resolve the same way.
func (p *postings) prune(n int) {
	if n <= 0 {
		return
	}
	out := int32(0)
	var order []int32
	for f := 0; f+1 < len(p.start); f++ {
		a, b := p.start[f], p.start[f+1]
		p.start[f] = out
		if int(b-a) <= n {
			for j := a; j < b; j++ {
				p.idx[out], p.w[out] = p.idx[j], p.w[j]
				out++
			}
			continue
		}
		order = order[:0]
		for j := a; j < b; j++ {
			order = append(order, j)
		}
		slices.SortFunc(order, func(x, y int32) int {
			return cmp.Or(cmp.Compare(abs32(p.w[y]), abs32(p.w[x])), cmp.Compare(x, y))
		})
		order = order[:n]
		slices.Sort(order)
		for _, j := range order {
			p.idx[out], p.w[out] = p.idx[j], p.w[j]
			out++
		}
	}
	p.start[len(p.start)-1] = out
	p.idx = slices.Clip(p.idx[:out])
	p.w = slices.Clip(p.w[:out])
}

func abs32(v float32) float32 {
	if v < 0 {
		return -v
	}
	return v
}
