package nlu

import (
	"math"
	"slices"
	"unicode/utf8"
)

// Features are hashed n-grams in two blocks, each sublinear-TF·IDF weighted and
// L2-normalised on its own before the blocks are joined: word n-grams carry the
// phrasing, character n-grams inside word boundaries carry morphology and survive
// typos ("recieve"), which matter in customer messages and have no dictionary here.
// Hashes are 64-bit FNV-1a, so a vocabulary of a million features collides with
// probability ~1e-8 and the model keeps only a sorted []uint64 instead of strings.

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func hashBytes(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

func hashByte(h uint64, c byte) uint64 {
	h ^= uint64(c)
	return h * fnvPrime
}

// kind seeds keep the namespaces apart: the word "ab" and the character gram "ab"
// are different features.
func kindSeed(kind byte, n int) uint64 {
	return hashByte(hashByte(fnvOffset, kind), byte(n))
}

const (
	blockWord = 0
	blockChar = 1
)

// rawFeature is a hashed feature before it is looked up in the vocabulary.
type rawFeature struct {
	h     uint64
	block uint8
}

// featureConfig is the part of Options that shapes features; it is stored in the
// model so that a loaded model extracts exactly what it was trained on.
type featureConfig struct {
	WordMax    int
	CharMin    int
	CharMax    int
	CharWeight float64
}

// extract appends the raw features of one text (with repeats) to dst.
func (c *featureConfig) extract(dst []rawFeature, toks []Token, scratch []int) ([]rawFeature, []int) {
	for n := 1; n <= c.WordMax; n++ {
		seed := kindSeed('w', n)
		for i := 0; i+n <= len(toks); i++ {
			h := seed
			for j := i; j < i+n; j++ {
				h = hashByte(hashBytes(h, toks[j].Text), ' ')
			}
			dst = append(dst, rawFeature{h: h, block: blockWord})
		}
	}
	if c.CharMax <= 0 {
		return dst, scratch
	}
	for _, t := range toks {
		if t.CJK {
			continue
		}
		// char_wb: grams of " word " so that prefixes and suffixes are marked.
		offs := scratch[:0]
		offs = append(offs, 0)
		p := 1
		for _, r := range t.Text {
			offs = append(offs, p)
			p += utf8.RuneLen(r)
		}
		offs = append(offs, p, p+1)
		nr := len(offs) - 1 // runes in the padded word
		for n := c.CharMin; n <= c.CharMax; n++ {
			if n > nr {
				break
			}
			seed := kindSeed('c', n)
			for i := 0; i+n <= nr; i++ {
				h := seed
				a, b := offs[i], offs[i+n]
				for k := a; k < b; k++ {
					h = hashByte(h, paddedByte(t.Text, k, p))
				}
				dst = append(dst, rawFeature{h: h, block: blockChar})
			}
		}
		scratch = offs
	}
	return dst, scratch
}

// paddedByte is byte k of " "+s+" " without building that string.
func paddedByte(s string, k, end int) byte {
	if k == 0 || k == end {
		return ' '
	}
	return s[k-1]
}

// vocab maps feature hashes to dense ids (the index in the sorted hash list) and
// holds their inverse document frequencies.
type vocab struct {
	hashes []uint64
	idf    []float32
	block  []uint8
}

func (v *vocab) lookup(h uint64) int32 {
	i, ok := slices.BinarySearch(v.hashes, h)
	if !ok {
		return -1
	}
	return int32(i)
}

func buildVocab(docs [][]rawFeature) *vocab {
	df := make(map[uint64]int32)
	blk := make(map[uint64]uint8)
	seen := make(map[uint64]struct{})
	for _, d := range docs {
		clear(seen)
		for _, f := range d {
			if _, ok := seen[f.h]; ok {
				continue
			}
			seen[f.h] = struct{}{}
			df[f.h]++
			blk[f.h] = f.block
		}
	}
	v := &vocab{hashes: make([]uint64, 0, len(df))}
	for h := range df {
		v.hashes = append(v.hashes, h)
	}
	slices.Sort(v.hashes) // map order is random; the sort makes ids deterministic
	v.idf = make([]float32, len(v.hashes))
	v.block = make([]uint8, len(v.hashes))
	for i, h := range v.hashes {
		v.idf[i] = idfOf(int(df[h]), len(docs))
		v.block[i] = blk[h]
	}
	return v
}

// entry of a sparse vector
type feat struct {
	id int32
	v  float32
}

// vectorize turns raw features into a weighted sparse vector (sorted by id);
// unknown features are dropped. sorted is scratch space.
func (v *vocab) vectorize(dst []feat, raw []rawFeature, charWeight float64) []feat {
	dst, _ = v.vectorizeFac(dst, raw, charWeight)
	return dst
}

// tfidf is a feature's weight before its block's length factor: sublinear tf · idf.
func tfidf(tf int, idf float32) float32 {
	return float32((1 + math.Log(float64(tf))) * float64(idf))
}

// vectorizeFac is vectorize that also returns the factor each block's tf·idf
// weights were multiplied by; the compact codec stores question vectors as term
// counts and these factors, which rebuild them bit for bit.
func (v *vocab) vectorizeFac(dst []feat, raw []rawFeature, charWeight float64) ([]feat, [2]float64) {
	dst = dst[:0]
	for _, f := range raw {
		if id := v.lookup(f.h); id >= 0 {
			dst = append(dst, feat{id: id, v: 1})
		}
	}
	if len(dst) == 0 {
		return dst, [2]float64{}
	}
	slices.SortFunc(dst, func(a, b feat) int { return int(a.id) - int(b.id) })
	// merge repeats into counts, then sublinear tf · idf
	out := dst[:1]
	for _, f := range dst[1:] {
		last := &out[len(out)-1]
		if f.id == last.id {
			last.v++
			continue
		}
		out = append(out, f)
	}
	var norm [2]float64
	for i := range out {
		w := tfidf(int(out[i].v), v.idf[out[i].id])
		out[i].v = w
		norm[v.block[out[i].id]] += float64(w) * float64(w)
	}
	scale := [2]float64{1, charWeight}
	var total float64
	for b := range norm {
		if norm[b] > 0 {
			total += scale[b] * scale[b]
			scale[b] /= math.Sqrt(norm[b])
		}
	}
	// the joined vector has unit length, so dot products with stored questions are cosines
	total = math.Sqrt(total)
	fac := [2]float64{scale[0] / total, scale[1] / total}
	for i := range out {
		out[i].v = float32(float64(out[i].v) * fac[v.block[out[i].id]])
	}
	return out, fac
}

// idfOf is the inverse document frequency of a feature found in df of n questions.
func idfOf(df, n int) float32 {
	return float32(math.Log((1+float64(n))/(1+float64(df))) + 1)
}
