package nlu

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"sync"
	"testing"
)

var faq = []Entry{
	{ID: "refund", Questions: []string{"How do I get a refund?", "I want my money back", "refund my order please", "怎么退款", "申请退款"}},
	{ID: "shipping", Questions: []string{"When will my order arrive?", "where is my parcel", "delivery is late", "快递什么时候到", "物流查询"}},
	{ID: "password", Questions: []string{"I forgot my password", "reset password", "can't log in to my account", "忘记密码", "登录不了"}},
	{ID: "invoice", Questions: []string{"Can I get an invoice?", "I need a receipt for my purchase", "开发票", "要发票"}},
}

func mustBuild(t testing.TB, entries []Entry, opt Options) *Model {
	t.Helper()
	m, err := Build(entries, opt)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestPredict(t *testing.T) {
	for _, opt := range []struct {
		name string
		opt  Options
	}{{"svm", Options{}}, {"centroid", Options{MaxLinearEntries: -1}}} {
		m := mustBuild(t, faq, opt.opt)
		for _, tc := range []struct{ q, want string }{
			{"i want a refund", "refund"},
			{"REFUND!!", "refund"},
			{"my parcel has not arrived", "shipping"},
			{"forgot password", "password"},
			{"我想退款", "refund"},
			{"我的快递到哪了", "shipping"},
			{"密码忘了", "password"},
			{"发票", "invoice"},
			{"<p>reset my password</p>", "password"},
			{"ｒｅｆｕｎｄ", "refund"},
		} {
			got := m.Predict(tc.q, 3)
			if len(got) == 0 || got[0].ID != tc.want {
				t.Errorf("%s: Predict(%q) = %+v, want %s first", opt.name, tc.q, got, tc.want)
				continue
			}
			if got[0].Score <= 0 || got[0].Score > 1 {
				t.Errorf("%s: score %v out of (0,1]", opt.name, got[0].Score)
			}
			for i := 1; i < len(got); i++ {
				if got[i].Score > got[i-1].Score {
					t.Errorf("%s: not sorted: %+v", opt.name, got)
				}
			}
			if got[0].Question == "" {
				t.Errorf("%s: no closest question", opt.name)
			}
		}
	}
}

func TestClosestQuestion(t *testing.T) {
	m := mustBuild(t, faq, Options{})
	got := m.Predict("where is my parcel now", 1)
	if len(got) != 1 || got[0].Question != "where is my parcel" {
		t.Errorf("got %+v", got)
	}
}

func TestPredictEdgeCases(t *testing.T) {
	m := mustBuild(t, faq, Options{})
	for _, q := range []string{"", "   ", "???!!!", "\x00\xff\xfe", "🙂"} {
		if got := m.Predict(q, 3); len(got) != 0 {
			t.Errorf("Predict(%q) = %+v, want nothing", q, got)
		}
	}
	if got := m.Predict("refund", 0); got != nil {
		t.Errorf("k=0 returned %+v", got)
	}
	if got := m.Predict("refund", 100); len(got) != len(faq) {
		t.Errorf("k larger than the FAQ: got %d matches", len(got))
	}
	// off-topic text scores low
	if got := m.Predict("what is the weather in paris tomorrow", 1); len(got) > 0 && got[0].Score > 0.9 {
		t.Errorf("off-topic query too confident: %+v", got)
	}
	huge := strings.Repeat("refund garbage xyzzy ", 50000)
	if got := m.Predict(huge, 1); len(got) == 0 || got[0].ID != "refund" {
		t.Errorf("huge input: %+v", got)
	}
	var nilModel *Model
	if nilModel.Predict("x", 1) != nil || nilModel.Entries() != 0 {
		t.Error("nil model answered")
	}
}

func TestEmptyModel(t *testing.T) {
	m := mustBuild(t, nil, Options{})
	if m.Entries() != 0 || m.Predict("refund", 3) != nil {
		t.Fatal("empty model answered")
	}
	b, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	m2, err := Load(b)
	if err != nil || m2.Predict("refund", 3) != nil {
		t.Fatalf("empty model round trip: %v", err)
	}
	// entries without usable text are kept (ids stay stable) and never matched
	m3 := mustBuild(t, []Entry{{ID: "a", Questions: []string{"", "!!"}}, {ID: "b", Questions: []string{"hello there"}}}, Options{})
	if m3.Entries() != 2 {
		t.Errorf("Entries() = %d", m3.Entries())
	}
	if got := m3.Predict("hello", 2); len(got) != 2 || got[0].ID != "b" {
		t.Errorf("got %+v", got)
	}
}

func TestBuildErrors(t *testing.T) {
	_, err := Build([]Entry{{ID: "a", Questions: []string{"x"}}, {ID: "a", Questions: []string{"y"}}}, Options{})
	if !errors.Is(err, ErrDuplicateID) {
		t.Errorf("duplicate id: err = %v", err)
	}
	if _, err := Build(faq, Options{Temperature: -1}); err == nil {
		t.Error("negative temperature accepted")
	}
}

func allPredictions(m *Model, qs []string) [][]Match {
	out := make([][]Match, len(qs))
	for i, q := range qs {
		out[i] = m.Predict(q, 3)
	}
	return out
}

var probes = []string{"refund please", "where is my order", "忘记密码怎么办", "invoice", "hello", "快递", "password reset link"}

func TestDeterministicAndRoundTrip(t *testing.T) {
	for _, opt := range []Options{{}, {MaxLinearEntries: -1}} {
		a := mustBuild(t, faq, opt)
		b := mustBuild(t, faq, opt)
		ba, _ := a.MarshalBinary()
		bb, _ := b.MarshalBinary()
		if string(ba) != string(bb) {
			t.Fatal("two builds of the same FAQ differ")
		}
		l, err := Load(ba)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(allPredictions(a, probes), allPredictions(l, probes)) {
			t.Error("loaded model predicts differently")
		}
		bl, _ := l.MarshalBinary()
		if string(bl) != string(ba) {
			t.Error("re-marshalled model differs")
		}
	}
}

func TestLoadRejectsCorruption(t *testing.T) {
	m := mustBuild(t, faq, Options{})
	b, _ := m.MarshalBinary()
	if _, err := Load(nil); !errors.Is(err, ErrBadModel) {
		t.Errorf("nil: %v", err)
	}
	// every truncation must fail cleanly
	for n := 0; n < len(b); n += 1 + n/50 {
		if _, err := Load(b[:n]); err == nil {
			t.Fatalf("truncated to %d bytes: loaded", n)
		}
	}
	// flipped bytes either fail or give a model that still answers without panicking
	for i := len(codecMagic); i < len(b); i += 1 + i/40 {
		c := append([]byte(nil), b...)
		c[i] ^= 0xa5
		if l, err := Load(c); err == nil {
			l.Predict("refund", 3)
		}
	}
}

func TestConcurrentPredict(t *testing.T) {
	m := mustBuild(t, faq, Options{})
	want := allPredictions(m, probes)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				if got := allPredictions(m, probes); !reflect.DeepEqual(got, want) {
					errs <- fmt.Errorf("concurrent predictions differ")
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestLargeModelUsesCentroids(t *testing.T) {
	entries, queries := synthFAQ(300, 3, 1)
	m := mustBuild(t, entries, Options{MaxLinearEntries: 100})
	if m.bias != nil {
		t.Fatal("expected the centroid model above MaxLinearEntries")
	}
	hits := 0
	for i, q := range queries {
		if got := m.Predict(q, 1); len(got) > 0 && got[0].ID == entries[i].ID {
			hits++
		}
	}
	if hits < len(queries)/2 {
		t.Errorf("centroid model: %d/%d right", hits, len(queries))
	}
}

// Format 3 is what MarshalBinary writes; a format-2 blob still loads, predicts the
// same, and is written back in format 2 (it lacks the question factors).
func TestCodecVersions(t *testing.T) {
	for _, opt := range []Options{{}, {MaxLinearEntries: -1}} {
		m := mustBuild(t, faq, opt)
		b3, _ := m.MarshalBinary()
		if v, _ := binary.Uvarint(b3[len(codecMagic):]); v != 3 {
			t.Fatalf("wrote format %d", v)
		}
		b2 := m.marshalV2()
		if len(b3) >= len(b2) {
			t.Errorf("format 3 is %d bytes, format 2 %d", len(b3), len(b2))
		}
		l, err := Load(b2)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(allPredictions(m, probes), allPredictions(l, probes)) {
			t.Error("format-2 model predicts differently")
		}
		if again, _ := l.MarshalBinary(); string(again) != string(b2) {
			t.Error("format-2 model not re-marshalled as format 2")
		}
	}
}

func TestF16(t *testing.T) {
	for _, x := range []float32{0, 1, -1, 0.1, 1e-3, -2.5e-5, 6e-8, 65504, 1e6, 0.33333334} {
		h := f16ToF32(f32ToF16(x))
		if x != 0 && (math.Abs(float64(h-x)/float64(x)) > 1.0/2048 && math.Abs(float64(h-x)) > 6e-8) && x < 65520 {
			t.Errorf("%g -> %g", x, h)
		}
		if f16ToF32(f32ToF16(h)) != h {
			t.Errorf("%g not stable", h)
		}
	}
}
