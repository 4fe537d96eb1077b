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
	"slices"
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
	rows, err := readColumns(path, []string{"text"}, []string{"label", "category", "intent"})
	if err != nil {
		return nil, err
	}
	out := make([]Example, 0, len(rows))
	for _, r := range rows {
		label := strings.TrimSpace(r.b)
		if label == "" {
			return nil, fmt.Errorf("%s:%d: empty label", path, r.line)
		}
		out = append(out, Example{Text: r.a, Label: label})
	}
	return out, nil
}

// ReadIntents reads an intents file: a CSV with a header naming a label column
// (label, intent or category) and a question column, and optionally more columns
// (an answer) that are ignored. It returns each label's standard question.
func ReadIntents(path string) (map[string]string, error) {
	rows, err := readColumns(path, []string{"label", "intent", "category"}, []string{"question"})
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		label, q := strings.TrimSpace(r.a), strings.TrimSpace(r.b)
		if label == "" || q == "" {
			return nil, fmt.Errorf("%s:%d: empty label or question", path, r.line)
		}
		if _, dup := out[label]; dup {
			return nil, fmt.Errorf("%s:%d: label %q twice", path, r.line, label)
		}
		out[label] = q
	}
	return out, nil
}

type columnPair struct {
	a, b string
	line int
}

// readColumns reads two columns of a CSV file with a header, each found by any of its
// names (case-insensitively, a byte-order mark ignored); other columns are ignored.
// It refuses an empty file, a header without both columns, a row too short for them
// and a file without rows.
func readColumns(path string, aNames, bNames []string) ([]columnPair, error) {
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
	ai, bi := -1, -1
	for i, h := range head {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if slices.Contains(aNames, h) {
			ai = i
		} else if slices.Contains(bNames, h) {
			bi = i
		}
	}
	if ai < 0 || bi < 0 {
		return nil, fmt.Errorf("%s: header must name a %s column and a %s column, got %q", path, aNames[0], bNames[0], head)
	}
	var out []columnPair
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		line, _ := r.FieldPos(0)
		if ai >= len(rec) || bi >= len(rec) {
			return nil, fmt.Errorf("%s:%d: missing column", path, line)
		}
		out = append(out, columnPair{a: rec[ai], b: rec[bi], line: line})
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
