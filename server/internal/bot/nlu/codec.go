package nlu

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/kefu-io/kefu/server/internal/bot/nlu/vectors"
)

// The binary form is a magic string and a format version followed by the model's
// arrays, little endian, each prefixed with its length. Load checks every length
// and index, so a truncated or corrupted blob is an error and never a panic or an
// out-of-range read at query time.

const (
	codecMagic   = "KEFUNLU"
	codecVersion = 3 // 3 stores vectors compactly; 2 adds the word-vector block; 1 and 2 are still read
)

// ErrBadModel is returned by Load for data that is not a model this version reads.
var ErrBadModel = errors.New("nlu: not a valid model")

type encoder struct{ b []byte }

func (e *encoder) u64(v uint64) { e.b = binary.AppendUvarint(e.b, v) }
func (e *encoder) f64(v float64) {
	e.b = binary.LittleEndian.AppendUint64(e.b, math.Float64bits(v))
}
func (e *encoder) str(s string) { e.u64(uint64(len(s))); e.b = append(e.b, s...) }
func (e *encoder) i32s(v []int32) {
	e.u64(uint64(len(v)))
	for _, x := range v {
		e.b = binary.LittleEndian.AppendUint32(e.b, uint32(x))
	}
}
func (e *encoder) f32s(v []float32) {
	e.u64(uint64(len(v)))
	for _, x := range v {
		e.b = binary.LittleEndian.AppendUint32(e.b, math.Float32bits(x))
	}
}

// MarshalBinary encodes the model; Load decodes it to a model that predicts
// exactly the same.
func (m *Model) MarshalBinary() ([]byte, error) {
	if m == nil {
		return nil, errors.New("nlu: nil model")
	}
	if b, ok := m.marshalV3(); ok {
		return b, nil
	}
	// a model loaded from an older format lacks what the compact form needs
	return m.marshalV2(), nil
}

func (m *Model) marshalV2() []byte {
	e := &encoder{b: make([]byte, 0, 64+8*len(m.voc.hashes)+8*(len(m.lin.idx)+len(m.knn.idx)))}
	e.b = append(e.b, codecMagic...)
	e.u64(2)
	e.head(m)
	e.i32s(m.docOf)
	e.i32s(m.first)
	e.u64(uint64(len(m.voc.hashes)))
	for _, h := range m.voc.hashes {
		e.b = binary.LittleEndian.AppendUint64(e.b, h)
	}
	e.f32s(m.voc.idf)
	e.u64(uint64(len(m.voc.block)))
	e.b = append(e.b, m.voc.block...)
	for _, p := range []postings{m.lin, m.knn} {
		e.i32s(p.start)
		e.i32s(p.idx)
		e.f32s(p.w)
	}
	if m.bias == nil {
		e.u64(0)
	} else {
		e.u64(1)
		e.f32s(m.bias)
	}
	e.f64(float64(m.dense))
	e.f64(float64(m.maxIDF))
	e.f32s(m.denseW)
	return e.b
}

type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: bad %s", ErrBadModel, what)
	}
	d.b = nil
}

func (d *decoder) u64(what string) uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail(what)
		return 0
	}
	d.b = d.b[n:]
	return v
}

// count reads a length and checks that size bytes per element remain.
func (d *decoder) count(what string, size int) int {
	n := d.u64(what)
	if n > uint64(len(d.b)/max(size, 1)) {
		d.fail(what)
		return 0
	}
	return int(n)
}

func (d *decoder) f64(what string) float64 {
	if len(d.b) < 8 {
		d.fail(what)
		return 0
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(d.b))
	d.b = d.b[8:]
	return v
}

func (d *decoder) str(what string) string {
	n := d.count(what, 1)
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

func (d *decoder) i32s(what string) []int32 {
	n := d.count(what, 4)
	v := make([]int32, n)
	for i := range v {
		v[i] = int32(binary.LittleEndian.Uint32(d.b[4*i:]))
	}
	d.b = d.b[4*n:]
	return v
}

func (d *decoder) f32s(what string) []float32 {
	n := d.count(what, 4)
	v := make([]float32, n)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(d.b[4*i:]))
	}
	d.b = d.b[4*n:]
	return v
}

// Load decodes a model written by MarshalBinary.
func Load(b []byte) (*Model, error) {
	if len(b) < len(codecMagic) || string(b[:len(codecMagic)]) != codecMagic {
		return nil, fmt.Errorf("%w: no header", ErrBadModel)
	}
	d := &decoder{b: b[len(codecMagic):]}
	version := d.u64("version")
	if d.err == nil && (version < 1 || version > codecVersion) {
		return nil, fmt.Errorf("%w: format version %d, this build reads 1 to %d", ErrBadModel, version, codecVersion)
	}
	m := &Model{voc: &vocab{}}
	if version == 3 {
		return d.finish(d.v3(m))
	}
	d.head(m)
	m.docOf = d.i32s("question entries")
	m.first = d.i32s("first questions")
	nh := d.count("vocabulary", 8)
	m.voc.hashes = make([]uint64, nh)
	for i := range m.voc.hashes {
		m.voc.hashes[i] = binary.LittleEndian.Uint64(d.b[8*i:])
	}
	d.b = d.b[8*nh:]
	m.voc.idf = d.f32s("idf")
	nb := d.count("blocks", 1)
	m.voc.block = slices.Clone(d.b[:nb])
	d.b = d.b[nb:]
	var ps [2]postings
	for i := range ps {
		ps[i].start = d.i32s("postings")
		ps[i].idx = d.i32s("postings")
		ps[i].w = d.f32s("postings")
	}
	m.lin, m.knn = ps[0], ps[1]
	if d.u64("bias flag") == 1 {
		m.bias = d.f32s("bias")
	}
	if version >= 2 {
		m.dense = float32(d.f64("word vector weight"))
		m.maxIDF = float32(d.f64("word vector weight"))
		m.denseW = d.f32s("word vector weights")
		if len(m.denseW) == 0 {
			m.denseW = nil
		}
	}
	return d.finish(m)
}

func (d *decoder) finish(m *Model) (*Model, error) {
	if d.err != nil {
		return nil, d.err
	}
	if len(d.b) != 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes", ErrBadModel, len(d.b))
	}
	if err := m.check(); err != nil {
		return nil, err
	}
	return m, nil
}

// check verifies the invariants Predict relies on to index without bounds errors.
func (m *Model) check() error {
	bad := func(what string) error { return fmt.Errorf("%w: inconsistent %s", ErrBadModel, what) }
	ne, nd, nf := len(m.ids), len(m.docs), len(m.voc.hashes)
	if m.cfg.CharMin > m.cfg.CharMax && m.cfg.CharMax > 0 || m.cfg.WordMax < 1 {
		return bad("feature settings")
	}
	if !(m.temperature > 0) || math.IsInf(float64(m.temperature), 0) || !(m.simPower >= 0 && m.simPower <= 1) {
		return bad("confidence settings")
	}
	if len(m.docOf) != nd || len(m.first) != ne || len(m.voc.idf) != nf || len(m.voc.block) != nf {
		return bad("lengths")
	}
	for _, e := range m.docOf {
		if e < 0 || int(e) >= ne {
			return bad("question entries")
		}
	}
	for _, q := range m.first {
		if q < -1 || int(q) >= nd {
			return bad("first questions")
		}
	}
	for i := 1; i < nf; i++ {
		if m.voc.hashes[i] <= m.voc.hashes[i-1] {
			return bad("vocabulary order")
		}
	}
	for _, b := range m.voc.block {
		if b > blockChar {
			return bad("blocks")
		}
	}
	for i, p := range []postings{m.lin, m.knn} {
		limit := ne
		if i == 1 {
			limit = nd
		}
		if len(p.start) != nf+1 || p.start[0] != 0 || int(p.start[nf]) != len(p.idx) || len(p.w) != len(p.idx) {
			return bad("postings")
		}
		for f := 0; f < nf; f++ {
			if p.start[f+1] < p.start[f] {
				return bad("postings")
			}
		}
		for _, x := range p.idx {
			if x < 0 || int(x) >= limit {
				return bad("postings")
			}
		}
	}
	if m.bias != nil && len(m.bias) != ne {
		return bad("bias")
	}
	if m.denseW != nil && (len(m.denseW) != ne*vectors.Dim || m.bias == nil || !(m.dense > 0) || math.IsInf(float64(m.dense), 0) || !(m.maxIDF >= 0)) {
		return bad("word vectors")
	}
	return nil
}

// head reads the settings, entry ids and questions, common to all versions.
func (d *decoder) head(m *Model) {
	small := func(what string) int {
		v := d.u64(what)
		if v > 16 {
			d.fail(what)
		}
		return int(v)
	}
	m.cfg.WordMax = small("word n-grams")
	m.cfg.CharMin = small("char n-grams")
	m.cfg.CharMax = small("char n-grams")
	m.cfg.CharWeight = d.f64("char weight")
	m.knnWeight = float32(d.f64("knn weight"))
	m.temperature = float32(d.f64("temperature"))
	m.simPower = float32(d.f64("confidence mix"))
	m.ids = make([]string, d.count("entries", 1))
	for i := range m.ids {
		m.ids[i] = d.str("entry id")
	}
	m.docs = make([]string, d.count("questions", 1))
	for i := range m.docs {
		m.docs[i] = d.str("question")
	}
}

func (e *encoder) head(m *Model) {
	e.u64(uint64(m.cfg.WordMax))
	e.u64(uint64(m.cfg.CharMin))
	e.u64(uint64(m.cfg.CharMax))
	e.f64(m.cfg.CharWeight)
	e.f64(float64(m.knnWeight))
	e.f64(float64(m.temperature))
	e.f64(float64(m.simPower))
	e.u64(uint64(len(m.ids)))
	for _, id := range m.ids {
		e.str(id)
	}
	e.u64(uint64(len(m.docs)))
	for _, d := range m.docs {
		e.str(d)
	}
}
