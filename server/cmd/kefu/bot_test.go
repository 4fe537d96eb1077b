package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

func TestBotEvalErrors(t *testing.T) {
	for name, args := range map[string][]string{
		"no subcommand":   {},
		"unknown sub":     {"train"},
		"no dataset":      {"eval"},
		"unknown dataset": {"eval", "--dataset", "imdb", "--path", "."},
		"no path":         {"eval", "--dataset", "banking77"},
		"missing files":   {"eval", "--dataset", "banking77", "--path", t.TempDir()},
		"csv no test":     {"eval", "--format", "csv", "--train", "x.csv"},
		"csv missing":     {"eval", "--format", "csv", "--train", "nope.csv", "--test", "nope.csv"},
		"bad format":      {"eval", "--format", "xml"},
		"bad flag":        {"eval", "--frobnicate"},
		"bad holdout":     {"eval", "--dataset", "banking77", "--path", ".", "--holdout", "1"},
		"stray argument":  {"eval", "extra"},
		"intents no csv":  {"eval", "--dataset", "banking77", "--path", ".", "--intents", "i.csv"},
		"bad oos target":  {"eval", "--format", "csv", "--train", "x.csv", "--test", "x.csv", "--oos-target", "0"},
		"missing intents": {"eval", "--format", "csv", "--train", "x.csv", "--test", "x.csv", "--intents", "nope.csv"},
	} {
		var out, errb bytes.Buffer
		if code := run(append([]string{"bot"}, args...), &out, &errb); code == 0 {
			t.Errorf("%s: exit 0", name)
		}
	}
}

func TestBotEvalCSVJSON(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	train := write("train.csv", "text,label\nrefund please,refund\ni want my money back,refund\nwhere is my parcel,shipping\ndelivery late,shipping\n")
	test := write("test.csv", "text,label\nrefund my money,refund\nmy parcel is late,shipping\n")
	var out, errb bytes.Buffer
	if code := run([]string{"bot", "eval", "--format", "csv", "--train", train, "--test", test, "--json"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var rep map[string]any
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("not one JSON object: %v\n%s", err, out.String())
	}
	for _, k := range []string{"dataset", "accuracy", "macro_f1", "in_scope_accuracy", "oos_recall", "p50_ms", "p99_ms", "entries"} {
		if _, ok := rep[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
	if rep["oos_recall"] != nil || rep["entries"] != float64(2) || rep["accuracy"] != float64(1) {
		t.Errorf("report: %v", rep)
	}
}
