package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/kefu-io/kefu/server/internal/bot/eval"
	"github.com/kefu-io/kefu/server/internal/bot/nlu"
)

const botUsage = `Usage:
  kefu bot eval --dataset banking77|clinc150 --path DIR [--json]
  kefu bot eval --format csv --train FILE --test FILE [--val FILE] [--oos-label LABEL]
                [--intents FILE] [--json]

Measures the FAQ matcher on a labelled dataset (see shared/datasets/README.md).
--holdout N evaluates on every N-th training row instead of the test split, and --on-val
on the validation split: use them, never the test split, to tune.
The answer threshold is chosen on the validation split: by default the lowest one that
refuses --oos-target of its out-of-scope queries (answering as many in-scope ones as
that allows); --balanced maximises the mean of in-scope accuracy and OOS recall instead.
The report gives the test figures at the other rule's threshold too.
`

func botCmd(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "eval" {
		fmt.Fprint(stderr, botUsage)
		return errors.New("usage: kefu bot eval --dataset NAME --path DIR, or --format csv --train F --test F")
	}
	fs := flag.NewFlagSet("bot eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, botUsage, "\nFlags:\n"); fs.PrintDefaults() }
	var (
		dataset  = fs.String("dataset", "", "banking77 or clinc150")
		path     = fs.String("path", "", "folder of the dataset")
		format   = fs.String("format", "", "csv: read --train/--val/--test files (header text,label)")
		train    = fs.String("train", "", "training CSV (with --format csv)")
		val      = fs.String("val", "", "validation CSV, used to choose the answer threshold (optional)")
		test     = fs.String("test", "", "test CSV (with --format csv)")
		oosLabel = fs.String("oos-label", "", "label of out-of-scope rows (CSV)")
		asJSON   = fs.Bool("json", false, "print one JSON object")
		holdout  = fs.Int("holdout", 0, "evaluate on every N-th training row instead of the test split")
		onVal    = fs.Bool("on-val", false, "evaluate on the validation split instead of the test split, for tuning")
		intents  = fs.String("intents", "", "CSV label,question[,answer]: each intent's standard question (with --format csv)")
		rule     eval.ThresholdRule
		opt      nlu.Options
	)
	fs.IntVar(&opt.WordNgrams, "word-ngrams", 0, "model: longest word n-gram")
	fs.IntVar(&opt.CharMin, "char-min", 0, "model: shortest character n-gram")
	fs.IntVar(&opt.CharMax, "char-max", 0, "model: longest character n-gram (negative: none)")
	fs.Float64Var(&opt.CharWeight, "char-weight", 0, "model: weight of character n-grams")
	fs.Float64Var(&opt.C, "c", 0, "model: SVM cost")
	fs.Float64Var(&opt.KNNWeight, "knn", 0, "model: weight of the nearest question (negative: off)")
	fs.Float64Var(&opt.Temperature, "temperature", 0, "model: softmax temperature")
	fs.Float64Var(&opt.SimPower, "sim-power", 0, "model: share of the closest question's cosine in the confidence")
	fs.Float64Var(&opt.WordVectors, "word-vectors", 0, "model: weight of the mean English word vector (negative: off)")
	fs.IntVar(&opt.MaxLinearEntries, "max-linear", 0, "model: most entries trained with the SVM")
	fs.IntVar(&opt.MaxPostings, "max-postings", 0, "model: longest posting list kept per feature (negative: all)")
	fs.Float64Var(&rule.OOSTarget, "oos-target", eval.DefaultOOSTarget, "threshold: out-of-scope recall to reach on val")
	fs.BoolVar(&rule.Balanced, "balanced", false, "threshold: maximise the mean of in-scope accuracy and OOS recall on val instead")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("bot eval: unexpected argument %q", fs.Arg(0))
	}
	var ds *eval.Dataset
	var err error
	switch {
	case *format == "csv":
		if *dataset != "" || *path != "" {
			return errors.New("bot eval: --format csv takes --train/--test, not --dataset/--path")
		}
		if *train == "" || *test == "" {
			return errors.New("bot eval: --format csv needs --train and --test")
		}
		ds, err = eval.LoadCSV(*train, *val, *test, *oosLabel)
		if err == nil && *intents != "" {
			ds.Questions, err = eval.ReadIntents(*intents)
		}
	case *intents != "":
		return errors.New("bot eval: --intents goes with --format csv")
	case *format != "":
		return fmt.Errorf("bot eval: unknown --format %q (want csv)", *format)
	case *path == "":
		return errors.New("bot eval: --path is required with --dataset")
	default:
		switch strings.ToLower(*dataset) {
		case "banking77":
			ds, err = eval.LoadBanking77(*path)
		case "clinc150":
			ds, err = eval.LoadCLINC150(*path)
		case "":
			return errors.New("bot eval: --dataset (banking77, clinc150) or --format csv is required")
		default:
			return fmt.Errorf("bot eval: unknown --dataset %q (want banking77 or clinc150)", *dataset)
		}
		if err == nil && *oosLabel != "" {
			ds.OOSLabel = *oosLabel
		}
	}
	if err != nil {
		return fmt.Errorf("bot eval: %w", err)
	}
	if rule.OOSTarget <= 0 || rule.OOSTarget > 1 {
		return errors.New("bot eval: --oos-target must be in (0, 1]")
	}
	if *holdout < 0 || *holdout == 1 {
		return errors.New("bot eval: --holdout must be 2 or more")
	}
	if *holdout > 1 {
		ds = eval.HoldOut(ds, *holdout)
	}
	if *onVal {
		if len(ds.Val) == 0 {
			return errors.New("bot eval: --on-val needs a validation split")
		}
		ds = &eval.Dataset{Name: ds.Name + "-val", Train: ds.Train, Val: ds.Val, Test: ds.Val, OOSLabel: ds.OOSLabel, Questions: ds.Questions}
	}
	rep, err := eval.RunRule(ds, opt, rule)
	if err != nil {
		return fmt.Errorf("bot eval: %w", err)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		return enc.Encode(rep)
	}
	printReport(stdout, rep)
	return nil
}

func printReport(w io.Writer, r *eval.Report) {
	fmt.Fprintf(w, "dataset            %s\n", r.Dataset)
	fmt.Fprintf(w, "entries            %d (train rows %d, test rows %d)\n", r.Entries, r.TrainRows, r.TestRows)
	fmt.Fprintf(w, "accuracy           %.2f %%\n", 100*r.Accuracy)
	fmt.Fprintf(w, "macro-F1           %.2f %%\n", 100*r.MacroF1)
	if r.OOSRecall != nil {
		fmt.Fprintf(w, "in-scope accuracy  %.2f %% (top entry whatever its score: %.2f %%)\n", 100*r.InScopeAccuracy, 100*r.InScopeTop1)
		fmt.Fprintf(w, "OOS recall         %.2f %% (threshold %.4f chosen on val, %s)\n", 100**r.OOSRecall, *r.Threshold, r.Rule)
		if o := r.Other; o != nil {
			fmt.Fprintf(w, "other rule         in-scope %.2f %%, OOS recall %.2f %% (threshold %.4f, %s)\n", 100*o.InScopeAccuracy, 100*o.OOSRecall, o.Threshold, o.Rule)
		}
	}
	fmt.Fprintf(w, "latency            p50 %.3f ms, p99 %.3f ms per query\n", r.P50ms, r.P99ms)
	fmt.Fprintf(w, "build              %.0f ms, index %d bytes\n", r.BuildMs, r.IndexBytes)
	fmt.Fprintln(w, "worst intents (F1, support: mistaken for)")
	for _, it := range r.Worst {
		var cs []string
		for _, c := range it.Confusions {
			name := c.Predicted
			if name == "" {
				name = "(no answer)"
			}
			cs = append(cs, fmt.Sprintf("%s ×%d", name, c.Count))
		}
		fmt.Fprintf(w, "  %-32s %.2f %4d: %s\n", it.Label, it.F1, it.Support, strings.Join(cs, ", "))
	}
}
