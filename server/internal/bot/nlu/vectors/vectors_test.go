package vectors

import (
	"math"
	"testing"
)

func cos(a, b []float32) float64 {
	var d, na, nb float64
	for i := range a {
		d += float64(a[i]) * float64(b[i])
		na += float64(a[i]) * float64(a[i])
		nb += float64(b[i]) * float64(b[i])
	}
	return d / math.Sqrt(na*nb)
}

func TestEnglish(t *testing.T) {
	tab := English()
	if tab.Len() != 50000 {
		t.Fatalf("%d words", tab.Len())
	}
	for _, w := range []string{"the", "refund", "card", "buy", "purchase"} {
		if v := tab.Lookup(w); len(v) != Dim {
			t.Fatalf("%q: %v", w, v)
		}
	}
	if tab.Lookup("Refund") != nil || tab.Lookup("zzqxj") != nil {
		t.Error("lookup of a word not in the table")
	}
	if c, d := cos(tab.Lookup("buy"), tab.Lookup("purchase")), cos(tab.Lookup("buy"), tab.Lookup("volcano")); c < 0.5 || c <= d {
		t.Errorf("cos(buy, purchase) %.2f, cos(buy, volcano) %.2f", c, d)
	}
}

func TestDecodeErrors(t *testing.T) {
	if _, err := decode([]byte("not gzip")); err == nil {
		t.Error("no error")
	}
}
