package nlu

import (
	"math"
	"math/rand/v2"
)

// One-vs-rest linear SVM with the squared hinge loss, trained in the dual by
// coordinate descent with shrinking (Hsieh et al. 2008, the LIBLINEAR default).
// It converges in a handful of passes on sparse text, is deterministic for a fixed
// seed, and — unlike SGD — needs no learning rate to tune. Each class costs a full
// pass over the data at first, after which shrinking drops the easy negatives, so
// it is used only for tenants with up to Options.MaxLinearEntries entries.

type csr struct {
	start []int32 // row i is feats[start[i]:start[i+1]]
	feats []feat
	norm2 []float64 // squared norm of each row including the bias
}

func (m *csr) rows() int        { return len(m.start) - 1 }
func (m *csr) row(i int) []feat { return m.feats[m.start[i]:m.start[i+1]] }

type svmParams struct {
	C       float64
	Bias    float64
	Eps     float64
	MaxIter int
	Seed    uint64
}

// trainOneVsRest returns, for every class, its weights over nFeat features (dense,
// reused buffer handed to emit) and its bias.
func trainOneVsRest(x *csr, labels []int32, nClass, nFeat int, p svmParams, emit func(class int, w []float64, bias float64)) {
	n := x.rows()
	w := make([]float64, nFeat)
	alpha := make([]float64, n)
	index := make([]int, n)
	y := make([]float64, n)
	diag := 0.5 / p.C
	rng := rand.New(rand.NewPCG(p.Seed, 0x6b656675))
	for c := 0; c < nClass; c++ {
		clear(w)
		clear(alpha)
		var wb float64
		for i := range y {
			y[i] = -1
			if int(labels[i]) == c {
				y[i] = 1
			}
		}
		for i := range index {
			index[i] = i
		}
		active := n
		pgMaxOld := math.Inf(1)
		for iter := 0; iter < p.MaxIter; iter++ {
			pgMax, pgMin := math.Inf(-1), math.Inf(1)
			for i := 0; i < active; i++ {
				j := i + rng.IntN(active-i)
				index[i], index[j] = index[j], index[i]
			}
			for s := 0; s < active; s++ {
				i := index[s]
				row := x.row(i)
				dot := wb * p.Bias
				for _, f := range row {
					dot += w[f.id] * float64(f.v)
				}
				g := y[i]*dot - 1 + diag*alpha[i]
				pg := g
				if alpha[i] == 0 {
					if g > pgMaxOld {
						active--
						index[s], index[active] = index[active], index[s]
						s--
						continue
					}
					if g > 0 {
						pg = 0
					}
				}
				pgMax = max(pgMax, pg)
				pgMin = min(pgMin, pg)
				if math.Abs(pg) > 1e-12 {
					old := alpha[i]
					alpha[i] = max(old-g/(x.norm2[i]+diag), 0)
					d := (alpha[i] - old) * y[i]
					for _, f := range row {
						w[f.id] += d * float64(f.v)
					}
					wb += d * p.Bias
				}
			}
			if pgMax-pgMin <= p.Eps {
				if active == n {
					break
				}
				// converged on the shrunk set: check once more on everything
				active = n
				pgMaxOld = math.Inf(1)
				continue
			}
			// with no upper bound on alpha only the lower side shrinks
			pgMaxOld = pgMax
			if pgMaxOld <= 0 {
				pgMaxOld = math.Inf(1)
			}
		}
		emit(c, w, wb*p.Bias)
	}
}
