package eval

// HoldOut returns a dataset for tuning without touching the test split: every
// n-th training row of each label becomes a test row and the rest is trained on.
// The split is a pure function of the row order, so it is reproducible.
func HoldOut(ds *Dataset, n int) *Dataset {
	out := &Dataset{Name: ds.Name + "-holdout", OOSLabel: ds.OOSLabel, Questions: ds.Questions}
	seen := make(map[string]int)
	for _, ex := range ds.Train {
		seen[ex.Label]++
		if seen[ex.Label]%n == 0 {
			out.Test = append(out.Test, ex)
		} else {
			out.Train = append(out.Train, ex)
		}
	}
	return out
}
