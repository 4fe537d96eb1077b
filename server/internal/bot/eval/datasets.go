// Package eval measures the bot's intent matching on labelled public datasets with
// the protocol in shared/datasets/README.md: every intent becomes one FAQ entry
// (standard question = the intent's name made readable, similar questions = its
// training utterances), every test utterance is asked as a customer would, and the
// answer is compared with the label. It goes through nlu.Build and nlu.Predict,
// the code that serves customers.
package eval

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/kefu-io/kefu/server/internal/bot/nlu"
)

// Example is one labelled utterance.
type Example struct {
	Text  string
	Label string
}

// Dataset is a train/val/test split. Rows labelled OOSLabel (when set) are out of
// scope: never trained on, and the right answer to them is not answering.
type Dataset struct {
	Name     string
	Train    []Example
	Val      []Example // may be empty
	Test     []Example
	OOSLabel string
	// Questions maps a label to its entry's standard question; labels missing
	// from it get the label made readable (the protocol's default).
	Questions map[string]string
}

// CLINCOOSLabel is how CLINC150 labels out-of-scope utterances.
const CLINCOOSLabel = "oos"

// LoadBanking77 reads train.csv and test.csv (header text,category) from dir.
func LoadBanking77(dir string) (*Dataset, error) {
	train, err := ReadCSV(filepath.Join(dir, "train.csv"))
	if err != nil {
		return nil, err
	}
	test, err := ReadCSV(filepath.Join(dir, "test.csv"))
	if err != nil {
		return nil, err
	}
	return &Dataset{Name: "banking77", Train: train, Test: test}, nil
}

// LoadCLINC150 reads data_full.json from dir: train, val + oos_val, test + oos_test.
// oos_train is left out, as in the protocol: the bot is never told what is off topic.
func LoadCLINC150(dir string) (*Dataset, error) {
	path := filepath.Join(dir, "data_full.json")
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var raw map[string][][2]string
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for _, k := range []string{"train", "val", "test", "oos_val", "oos_test"} {
		if len(raw[k]) == 0 {
			return nil, fmt.Errorf("%s: split %q missing or empty", path, k)
		}
	}
	conv := func(splits ...string) []Example {
		var out []Example
		for _, s := range splits {
			for _, p := range raw[s] {
				out = append(out, Example{Text: p[0], Label: p[1]})
			}
		}
		return out
	}
	return &Dataset{
		Name:     "clinc150",
		Train:    conv("train"),
		Val:      conv("val", "oos_val"),
		Test:     conv("test", "oos_test"),
		OOSLabel: CLINCOOSLabel,
	}, nil
}

// LoadCSV reads a generic dataset: files with a header naming a text column and a
// label column (text,label or text,category); valPath may be empty.
func LoadCSV(trainPath, valPath, testPath, oosLabel string) (*Dataset, error) {
	ds := &Dataset{Name: "csv", OOSLabel: oosLabel}
	var err error
	if ds.Train, err = ReadCSV(trainPath); err != nil {
		return nil, err
	}
	if valPath != "" {
		if ds.Val, err = ReadCSV(valPath); err != nil {
			return nil, err
		}
	}
	if ds.Test, err = ReadCSV(testPath); err != nil {
		return nil, err
	}
	return ds, nil
}

// ReadCSV reads labelled rows from a CSV file whose header has a "text" column and
// a "label" or "category" column.
func ReadCSV(path string) ([]Example, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	head, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: empty file", path)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	ti, li := -1, -1
	for i, h := range head {
		switch strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))) {
		case "text":
			ti = i
		case "label", "category", "intent":
			li = i
		}
	}
	if ti < 0 || li < 0 {
		return nil, fmt.Errorf("%s: header must name a text column and a label column, got %q", path, head)
	}
	var out []Example
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if ti >= len(rec) || li >= len(rec) {
			line, _ := r.FieldPos(0)
			return nil, fmt.Errorf("%s:%d: missing column", path, line)
		}
		label := strings.TrimSpace(rec[li])
		if label == "" {
			line, _ := r.FieldPos(0)
			return nil, fmt.Errorf("%s:%d: empty label", path, line)
		}
		out = append(out, Example{Text: rec[ti], Label: label})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no rows", path)
	}
	return out, nil
}

// ReadIntents reads an intents file: a CSV with a header naming a label column
// (label, intent or category) and a question column, and optionally more columns
// (an answer) that are ignored. It returns each label's standard question.
func ReadIntents(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	head, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: empty file", path)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	li, qi := -1, -1
	for i, h := range head {
		switch strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))) {
		case "label", "intent", "category":
			li = i
		case "question":
			qi = i
		}
	}
	if li < 0 || qi < 0 {
		return nil, fmt.Errorf("%s: header must name a label column and a question column, got %q", path, head)
	}
	out := make(map[string]string)
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		line, _ := r.FieldPos(0)
		if li >= len(rec) || qi >= len(rec) {
			return nil, fmt.Errorf("%s:%d: missing column", path, line)
		}
		label, q := strings.TrimSpace(rec[li]), strings.TrimSpace(rec[qi])
		if label == "" || q == "" {
			return nil, fmt.Errorf("%s:%d: empty label or question", path, line)
		}
		if _, dup := out[label]; dup {
			return nil, fmt.Errorf("%s:%d: label %q twice", path, line, label)
		}
		out[label] = q
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no rows", path)
	}
	return out, nil
}

// Readable turns an intent name into the standard question the protocol gives its
// entry: "card_arrival" → "card arrival".
func Readable(label string) string {
	return strings.Join(strings.FieldsFunc(label, func(r rune) bool { return r == '_' || r == '-' || r == ' ' }), " ")
}

// Entries groups training examples by label, in order of first appearance (so a
// dataset always yields the same model), skipping out-of-scope rows. An entry's
// standard question is the label made readable.
func Entries(train []Example, oosLabel string) []nlu.Entry {
	return EntriesWith(train, oosLabel, nil)
}

// EntriesWith is Entries with standard questions taken from questions where it has
// the label.
func EntriesWith(train []Example, oosLabel string, questions map[string]string) []nlu.Entry {
	idx := make(map[string]int)
	var out []nlu.Entry
	for _, ex := range train {
		if oosLabel != "" && ex.Label == oosLabel {
			continue
		}
		i, ok := idx[ex.Label]
		if !ok {
			i = len(out)
			idx[ex.Label] = i
			std, ok := questions[ex.Label]
			if !ok {
				std = Readable(ex.Label)
			}
			out = append(out, nlu.Entry{ID: ex.Label, Questions: []string{std}})
		}
		out[i].Questions = append(out[i].Questions, ex.Text)
	}
	return out
}
