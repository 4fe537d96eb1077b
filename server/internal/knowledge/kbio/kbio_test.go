package kbio

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/kefu-io/kefu/server/internal/knowledge"
)

func TestFormulaEscape(t *testing.T) {
	for _, s := range []string{"=1+1", "+1", "-x", "@SUM(A1)", "\tx", "\rx", "'=already", "'plain", "plain", "", "'"} {
		e := escapeFormula(s)
		if e != "" && strings.ContainsRune("=+-@\t\r", rune(e[0])) {
			t.Errorf("escape(%q) = %q still starts a formula", s, e)
		}
		if got := unescapeFormula(e); got != s {
			t.Errorf("unescape(escape(%q)) = %q", s, got)
		}
	}
}

func TestListCells(t *testing.T) {
	for _, xs := range [][]string{{"a", "b"}, {"a,b"}, {"a,b", "c"}, {"x|y"}, {"退款", "售后"}, nil} {
		for _, seps := range []string{tagSeps, similarSeps} {
			sep := ", "
			if seps == similarSeps {
				sep = "\n"
			}
			if got := splitCell(joinCell(xs, sep, seps), seps); !slices.Equal(got, xs) {
				t.Errorf("split(join(%q)) with %q = %q", xs, seps, got)
			}
		}
	}
	if got := splitCell("a | b|c", similarSeps); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("pipes: %q", got)
	}
	if got := splitCell("售后，退款; x", tagSeps); !slices.Equal(got, []string{"售后", "退款", "x"}) {
		t.Errorf("tags: %q", got)
	}
}

// An XLSX a person made: a real date cell, a gap row, columns in another order.
func TestDecodeHandmadeXLSX(t *testing.T) {
	x := excelize.NewFile()
	defer x.Close()
	_ = x.SetSheetRow("Sheet1", "A1", &[]any{"Answer", "Question", "Expires_At", "Tags"})
	_ = x.SetSheetRow("Sheet1", "A2", &[]any{"答案", "问题", time.Date(2031, 5, 6, 0, 0, 0, 0, time.UTC), "a，b"})
	_ = x.SetSheetRow("Sheet1", "A4", &[]any{"=1+1", "第二个", "", ""})
	var buf bytes.Buffer
	if _, err := x.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	rows, err := Decode(&buf, knowledge.KindFAQ, XLSX, "en")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Row != 2 || rows[1].Row != 4 {
		t.Fatalf("rows %+v", rows)
	}
	r := rows[0]
	if *r.Input.Question != "问题" || *r.Input.Answer != "答案" || *r.Input.Locale != "en" || !slices.Equal(*r.Input.Tags, []string{"a", "b"}) ||
		r.Input.ExpiresAt.Value == nil || !r.Input.ExpiresAt.Value.Equal(time.Date(2031, 5, 6, 0, 0, 0, 0, time.UTC)) || len(r.Problems) != 0 {
		t.Fatalf("row 2: %+v %v", r.Input, r.Problems)
	}
	if *rows[1].Input.Answer != "=1+1" {
		t.Fatalf("row 4 answer %q", *rows[1].Input.Answer)
	}
}
