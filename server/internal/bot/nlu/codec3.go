package nlu

import (
	"encoding/binary"
	"math"
)

// Format 3 stores the same model in about 40 % of the bytes of format 2, and
// rebuilds it bit for bit:
//   - feature hashes as varint gaps (they are sorted), blocks as a bit set, and
//     document frequencies instead of IDFs (idfOf recomputes them);
//   - posting lists as their lengths and varint gaps between their (ascending)
//     indices;
//   - question vectors as term counts (almost always 1, so one bit) and each
//     question's two block factors, from which tfidf rebuilds every weight;
//   - linear and word-vector weights as float16, which Build rounds them to.
// A model that cannot be put this way (one loaded from format 1 or 2) is written
// in format 2.

func (e *encoder) f16s(v []float32) {
	e.u64(uint64(len(v)))
	for _, x := range v {
		e.b = binary.LittleEndian.AppendUint16(e.b, f32ToF16(x))
	}
}

func (d *decoder) f16s(what string) []float32 {
	n := d.count(what, 2)
	v := make([]float32, n)
	for i := range v {
		v[i] = f16ToF32(binary.LittleEndian.Uint16(d.b[2*i:]))
	}
	d.b = d.b[2*n:]
	return v
}

func (m *Model) marshalV3() ([]byte, bool) {
	nf, nd := len(m.voc.hashes), len(m.docs)
	if len(m.qfac) != 2*nd || !isF16(m.lin.w) || !isF16(m.denseW) {
		return nil, false
	}
	e := &encoder{b: make([]byte, 0, 64+8*nf+4*(len(m.lin.idx)+len(m.knn.idx)))}
	e.b = append(e.b, codecMagic...)
	e.u64(3)
	e.head(m)
	for _, x := range m.docOf {
		e.u64(uint64(x))
	}
	for _, x := range m.first {
		e.u64(uint64(x + 1))
	}
	// vocabulary: hash gaps, block bits, document frequencies
	e.u64(uint64(nf))
	var prev uint64
	for _, h := range m.voc.hashes {
		e.u64(h - prev)
		prev = h
	}
	bits := make([]byte, (nf+7)/8)
	for i, b := range m.voc.block {
		bits[i/8] |= b << (i % 8)
	}
	e.b = append(e.b, bits...)
	// document frequency: the df whose idfOf is the stored idf
	for _, idf := range m.voc.idf {
		df := int(math.Round((1+float64(nd))/math.Exp(float64(idf)-1) - 1))
		ok := false
		for _, c := range []int{df, df - 1, df + 1} {
			if c >= 0 && idfOf(c, nd) == idf {
				df, ok = c, true
				break
			}
		}
		if !ok {
			return nil, false
		}
		e.u64(uint64(df))
	}
	if !e.gaps(m.lin) {
		return nil, false
	}
	e.f16s(m.lin.w)
	if !e.gaps(m.knn) {
		return nil, false
	}
	for _, f := range m.qfac {
		e.f64(f)
	}
	// question vectors: the gap shifted left by one, the low bit set when a
	// count above one follows
	for f := 0; f < nf; f++ {
		idf, blk := m.voc.idf[f], m.voc.block[f]
		for j := m.knn.start[f]; j < m.knn.start[f+1]; j++ {
			fac := m.qfac[2*int(m.knn.idx[j])+int(blk)]
			w := m.knn.w[j]
			tf := 1
			if base := float64(tfidf(1, idf)) * fac; base > 0 {
				tf = max(1, int(math.Round(math.Exp(float64(w)/base-1))))
			}
			found := false
			for _, c := range []int{tf, tf - 1, tf + 1} {
				if c >= 1 && float32(float64(tfidf(c, idf))*fac) == w {
					tf, found = c, true
					break
				}
			}
			if !found {
				return nil, false
			}
			e.u64(uint64(tf - 1))
		}
	}
	if m.bias == nil {
		e.u64(0)
	} else {
		e.u64(1)
		e.f32s(m.bias)
	}
	e.f64(float64(m.dense))
	e.f64(float64(m.maxIDF))
	e.f16s(m.denseW)
	return e.b, true
}

// gaps writes each list's length, then the gaps between its ascending indices.
func (e *encoder) gaps(p postings) bool {
	for f := 0; f+1 < len(p.start); f++ {
		a, b := p.start[f], p.start[f+1]
		e.u64(uint64(b - a))
		prev := int32(-1)
		for _, x := range p.idx[a:b] {
			if x <= prev {
				return false
			}
			e.u64(uint64(x - prev - 1))
			prev = x
		}
	}
	return true
}

// gaps reads what encoder.gaps wrote for nf lists of indices below limit.
func (d *decoder) gaps(nf, limit int) postings {
	p := postings{start: make([]int32, nf+1)}
	for f := 0; f < nf && d.err == nil; f++ {
		n := d.count("postings", 1)
		prev := int64(-1)
		for k := 0; k < n; k++ {
			prev += int64(d.u64("postings")) + 1
			if prev >= int64(limit) {
				d.fail("postings")
				break
			}
			p.idx = append(p.idx, int32(prev))
		}
		p.start[f+1] = int32(len(p.idx))
	}
	return p
}

func (d *decoder) v3(m *Model) *Model {
	d.head(m)
	ne, nd := len(m.ids), len(m.docs)
	m.docOf = make([]int32, nd)
	for i := range m.docOf {
		if m.docOf[i] = int32(d.u64("question entries")); m.docOf[i] < 0 || int(m.docOf[i]) >= ne {
			d.fail("question entries")
		}
	}
	m.first = make([]int32, ne)
	for i := range m.first {
		v := d.u64("first questions")
		if v > uint64(nd) {
			d.fail("first questions")
		}
		m.first[i] = int32(v) - 1
	}
	nf := d.count("vocabulary", 1)
	m.voc.hashes = make([]uint64, nf)
	var h uint64
	for i := range m.voc.hashes {
		g := d.u64("vocabulary")
		if i > 0 && g == 0 {
			d.fail("vocabulary order")
		}
		h += g
		m.voc.hashes[i] = h
	}
	if len(d.b) < (nf+7)/8 {
		d.fail("blocks")
		return m
	}
	m.voc.block = make([]uint8, nf)
	for i := range m.voc.block {
		m.voc.block[i] = d.b[i/8] >> (i % 8) & 1
	}
	d.b = d.b[(nf+7)/8:]
	m.voc.idf = make([]float32, nf)
	for i := range m.voc.idf {
		df := d.u64("document frequencies")
		if df > uint64(nd) {
			d.fail("document frequencies")
		}
		m.voc.idf[i] = idfOf(int(df), nd)
	}
	m.lin = d.gaps(nf, ne)
	m.lin.w = d.f16s("linear weights")
	m.knn = d.gaps(nf, nd)
	if d.err != nil || len(d.b) < 16*nd {
		d.fail("question factors")
		return m
	}
	m.qfac = make([]float64, 2*nd)
	for i := range m.qfac {
		m.qfac[i] = d.f64("question factors")
	}
	m.knn.w = make([]float32, len(m.knn.idx))
	for f := 0; f < nf; f++ {
		idf, blk := m.voc.idf[f], m.voc.block[f]
		for j := m.knn.start[f]; j < m.knn.start[f+1]; j++ {
			tf := d.u64("term counts")
			if tf > 1<<20 {
				d.fail("term counts")
				return m
			}
			m.knn.w[j] = float32(float64(tfidf(int(tf)+1, idf)) * m.qfac[2*int(m.knn.idx[j])+int(blk)])
		}
	}
	if d.u64("bias flag") == 1 {
		m.bias = d.f32s("bias")
	}
	m.dense = float32(d.f64("word vector weight"))
	m.maxIDF = float32(d.f64("word vector weight"))
	m.denseW = d.f16s("word vector weights")
	if len(m.denseW) == 0 {
		m.denseW = nil
	}
	return m
}
