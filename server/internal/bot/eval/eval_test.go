package eval

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kefu-io/kefu/server/internal/bot/nlu"
)

// datasetsDir finds shared/datasets: $KEFU_DATASETS, else ../shared/datasets beside
// the repository root (the folder holding go.mod). The datasets are public but not
// ours to ship, so they live outside the repository.
func datasetsDir(t *testing.T) string {
	t.Helper()
	if d := os.Getenv("KEFU_DATASETS"); d != "" {
		return d
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared", "datasets")
		}
		if filepath.Dir(dir) == dir {
			return filepath.Join(wd, "shared", "datasets")
		}
	}
}

func needDataset(t *testing.T, name string) string {
	t.Helper()
	dir := filepath.Join(datasetsDir(t), name)
	if _, err := os.Stat(dir); err != nil {
		msg := "DATASET " + name + " NOT FOUND at " + dir + " (set KEFU_DATASETS): the bot's accuracy floors are NOT being checked"
		if os.Getenv("KEFU_TEST_REQUIRE_SERVICES") == "1" {
			t.Fatal(msg)
		}
		t.Skip("\n\n*** " + msg + " ***\n")
	}
	return dir
}

// The floors sit just under what the default model measures (BANKING77 92.11 %;
// CLINC150 91.98 % in scope at the threshold that reaches 70 % OOS recall on val,
// 93.44 % top entry, 68.1 % OOS recall on test). Builds are deterministic, so a drop
// below them is a real regression. They are below the published BERT figures
// (93.66 %; 96.2 % / 52.3 %) the bot aims for.

func TestBanking77Floor(t *testing.T) {
	ds, err := LoadBanking77(needDataset(t, "banking77"))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(ds, nlu.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("BANKING77: accuracy %.4f macro-F1 %.4f, build %.0f ms, p50 %.3f ms p99 %.3f ms", rep.Accuracy, rep.MacroF1, rep.BuildMs, rep.P50ms, rep.P99ms)
	if rep.Entries != 77 || rep.TestRows != 3080 {
		t.Errorf("entries %d, test rows %d: not the full dataset", rep.Entries, rep.TestRows)
	}
	if rep.Accuracy < 0.92 {
		t.Errorf("BANKING77 accuracy %.4f below the floor 0.92", rep.Accuracy)
	}
	if rep.OOSRecall != nil {
		t.Error("BANKING77 has no out-of-scope rows, yet an OOS recall was reported")
	}
}

func TestCLINC150Floor(t *testing.T) {
	ds, err := LoadCLINC150(needDataset(t, "clinc150"))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(ds, nlu.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("CLINC150: in-scope %.4f (top entry %.4f), OOS recall %.4f at threshold %.4f (%s; %s: %.4f / %.4f), build %.0f ms",
		rep.InScopeAccuracy, rep.InScopeTop1, *rep.OOSRecall, *rep.Threshold, rep.Rule, rep.Other.Rule, rep.Other.InScopeAccuracy, rep.Other.OOSRecall, rep.BuildMs)
	if rep.Entries != 150 || rep.TestRows != 5500 {
		t.Errorf("entries %d, test rows %d: not the full dataset", rep.Entries, rep.TestRows)
	}
	if rep.InScopeAccuracy < 0.915 || rep.InScopeTop1 < 0.93 {
		t.Errorf("CLINC150 in-scope accuracy %.4f (top entry %.4f) below the floors 0.915 (0.93)", rep.InScopeAccuracy, rep.InScopeTop1)
	}
	if *rep.OOSRecall < 0.675 {
		t.Errorf("CLINC150 OOS recall %.4f below the floor 0.675", *rep.OOSRecall)
	}
	// the balanced rule (measured 84.29 % in scope, 91.6 % OOS recall)
	if o := rep.Other; o == nil || o.InScopeAccuracy < 0.84 || o.OOSRecall < 0.91 {
		t.Errorf("CLINC150 at the balanced threshold: %+v, below the floors 0.84 / 0.91", o)
	}
}

// TestChineseFAQ runs the generic CSV path on the Chinese FAQ fixture (Simplified and
// some Traditional Chinese, colloquial, emoji, out-of-scope rows labelled oos), with
// the standard questions of intents.csv. Measured: top entry 76.55 %, in scope
// 67.26 %, OOS recall 63.75 % (threshold for 70 % OOS recall on val).
func TestChineseFAQ(t *testing.T) {
	dir := filepath.Join("testdata", "zh_faq")
	if _, err := os.Stat(filepath.Join(dir, "train.csv")); err != nil {
		t.Skip("zh_faq fixture not present")
	}
	ds, err := LoadCSV(filepath.Join(dir, "train.csv"), filepath.Join(dir, "val.csv"), filepath.Join(dir, "test.csv"), "oos")
	if err != nil {
		t.Fatal(err)
	}
	if ds.Questions, err = ReadIntents(filepath.Join(dir, "intents.csv")); err != nil {
		t.Fatal(err)
	}
	rep, err := Run(ds, nlu.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("zh_faq: in-scope %.4f (top entry %.4f), OOS recall %.4f, accuracy %.4f", rep.InScopeAccuracy, rep.InScopeTop1, *rep.OOSRecall, rep.Accuracy)
	if rep.InScopeTop1 < 0.76 || rep.InScopeAccuracy < 0.665 || *rep.OOSRecall < 0.63 {
		t.Errorf("zh_faq below its floors: in-scope %.4f (0.665), top entry %.4f (0.76), OOS recall %.4f (0.63)",
			rep.InScopeAccuracy, rep.InScopeTop1, *rep.OOSRecall)
	}
}

func TestReadable(t *testing.T) {
	for in, want := range map[string]string{"card_arrival": "card arrival", "top-up  failed": "top up failed", "oos": "oos"} {
		if got := Readable(in); got != want {
			t.Errorf("Readable(%q) = %q, want %q", in, got, want)
		}
	}
}

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReadCSVErrors(t *testing.T) {
	for name, body := range map[string]string{
		"empty":     "",
		"no header": "how do i pay,payment\n",
		"no rows":   "text,label\n",
		"no label":  "text,label\nhello,\n",
		"short row": "text,label\nhello\n",
		"bad quote": "text,label\n\"unterminated,x\n",
	} {
		if _, err := ReadCSV(writeFile(t, "x.csv", body)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := ReadCSV(filepath.Join(t.TempDir(), "missing.csv")); err == nil {
		t.Error("missing file: no error")
	}
	got, err := ReadCSV(writeFile(t, "ok.csv", "\ufeffText,Category\n\"hi, there\",greet\n"))
	if err != nil || len(got) != 1 || got[0] != (Example{"hi, there", "greet"}) {
		t.Errorf("got %+v, %v", got, err)
	}
}

func TestRunCSVWithOOS(t *testing.T) {
	var train, val, test strings.Builder
	train.WriteString("text,label\n")
	for _, r := range [][2]string{
		{"how do i get a refund", "refund"}, {"i want my money back", "refund"}, {"refund please", "refund"},
		{"where is my parcel", "shipping"}, {"my delivery is late", "shipping"}, {"when will my order arrive", "shipping"},
		{"tell me a joke", "oos"}, // out of scope rows are never trained on
	} {
		train.WriteString(r[0] + "," + r[1] + "\n")
	}
	val.WriteString("text,label\ncan i have a refund,refund\nparcel not here,shipping\nwhat is the capital of peru,oos\nplay some jazz music,oos\n")
	test.WriteString("text,label\nrefund my money,refund\nwhere's my parcel,shipping\nbook a flight to rome,oos\n")
	ds, err := LoadCSV(writeFile(t, "train.csv", train.String()), writeFile(t, "val.csv", val.String()), writeFile(t, "test.csv", test.String()), "oos")
	if err != nil {
		t.Fatal(err)
	}
	if e := Entries(ds.Train, "oos"); len(e) != 2 || e[0].Questions[0] != "refund" {
		t.Fatalf("entries: %+v", e)
	}
	rep, err := Run(ds, nlu.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.OOSRecall == nil || rep.Threshold == nil || rep.Entries != 2 || rep.TestRows != 3 {
		t.Fatalf("report: %+v", rep)
	}
	if rep.InScopeTop1 != 1 {
		t.Errorf("in-scope top entry accuracy %.2f, want 1", rep.InScopeTop1)
	}
}

func TestChooseThreshold(t *testing.T) {
	m, err := nlu.Build([]nlu.Entry{{ID: "a", Questions: []string{"reset my password", "forgot password"}}, {ID: "b", Questions: []string{"track my parcel", "where is my order"}}}, nlu.Options{})
	if err != nil {
		t.Fatal(err)
	}
	val := []Example{{"forgot my password", "a"}, {"where is my parcel", "b"}, {"zebra crossing rules", "oos"}}
	th := ChooseThreshold(m, val, "oos")
	for _, ex := range val {
		got := decide(m.Predict(ex.Text, 1), th, "oos")
		if got != ex.Label {
			t.Errorf("%q: decided %q at threshold %.3f, want %q", ex.Text, got, th, ex.Label)
		}
	}
	if th := ChooseThreshold(m, val[:2], "oos"); th != 0 {
		t.Errorf("no out-of-scope rows: threshold %v, want 0", th)
	}
}

func TestReadIntents(t *testing.T) {
	got, err := ReadIntents(writeFile(t, "i.csv", "label,question,answer\nrefund,怎么申请退款？,\"在订单页, 点退款\"\nship,where is my parcel,\n"))
	if err != nil || len(got) != 2 || got["refund"] != "怎么申请退款？" || got["ship"] != "where is my parcel" {
		t.Fatalf("got %v, %v", got, err)
	}
	train := []Example{{"我要退款", "refund"}, {"parcel late", "ship"}, {"other", "other_intent"}}
	e := EntriesWith(train, "", got)
	if e[0].Questions[0] != "怎么申请退款？" || e[1].Questions[0] != "where is my parcel" || e[2].Questions[0] != "other intent" {
		t.Errorf("entries %+v", e)
	}
	for name, body := range map[string]string{
		"no question": "label,answer\na,b\n",
		"empty":       "label,question\na,\n",
		"duplicate":   "label,question\na,x\na,y\n",
		"no rows":     "label,question\n",
	} {
		if _, err := ReadIntents(writeFile(t, "x.csv", body)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestChooseThresholdForRecall(t *testing.T) {
	m, err := nlu.Build([]nlu.Entry{{ID: "a", Questions: []string{"reset my password", "forgot password"}}, {ID: "b", Questions: []string{"track my parcel", "where is my order"}}}, nlu.Options{})
	if err != nil {
		t.Fatal(err)
	}
	val := []Example{{"forgot my password", "a"}, {"where is my parcel", "b"}, {"zebra crossing rules", "oos"}, {"password for my parcel", "oos"}}
	score := func(text string) float64 {
		if ms := m.Predict(text, 1); len(ms) > 0 {
			return ms[0].Score
		}
		return 0
	}
	for _, target := range []float64{0.5, 1} {
		th := ChooseThresholdForRecall(m, val, "oos", target)
		refused := 0
		for _, ex := range val[2:] {
			if score(ex.Text) < th {
				refused++
			}
		}
		if float64(refused)/2 < target {
			t.Errorf("target %.1f: threshold %.3f refuses %d of 2", target, th, refused)
		}
		// the lowest such threshold: the in-scope rows above the refused OOS rows stay answered
		if target == 0.5 && score(val[0].Text) < th && score(val[0].Text) > min(score(val[2].Text), score(val[3].Text)) {
			t.Errorf("threshold %.3f refuses more than needed", th)
		}
	}
	if th := ChooseThresholdForRecall(m, val[:2], "oos", 0.7); th != 0 {
		t.Errorf("no out-of-scope rows: threshold %v, want 0", th)
	}
}
