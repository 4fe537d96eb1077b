package nlu

import (
	"sort"
	"testing"
	"time"
)

// benchOptions are the defaults; edit to compare settings at this size.
var benchOptions = Options{}

// BenchmarkPredict10k measures one customer query against a tenant with 10,000
// FAQ entries of 4 questions each, the largest FAQ the bot is sized for; the
// budget is p99 < 2 ms. It reports p50/p99 besides the mean.
func BenchmarkPredict10k(b *testing.B) {
	entries, queries := synthFAQ(10000, 4, 7)
	t0 := time.Now()
	m, err := Build(entries, benchOptions)
	if err != nil {
		b.Fatal(err)
	}
	build := time.Since(t0)
	blob, _ := m.MarshalBinary()
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t := time.Now()
		m.Predict(queries[i%len(queries)], 3)
		lat = append(lat, time.Since(t))
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(build.Milliseconds()), "build-ms")
	hits := 0
	for i, q := range queries {
		if ms := m.Predict(q, 1); len(ms) > 0 && ms[0].ID == entries[i].ID {
			hits++
		}
	}
	b.ReportMetric(float64(hits)/float64(len(queries)), "top1")
	b.ReportMetric(float64(len(blob))/(1<<20), "model-MB")
}

// BenchmarkBuild10k is the cost of (re)building a 10,000-entry tenant model.
func BenchmarkBuild10k(b *testing.B) {
	entries, _ := synthFAQ(10000, 4, 7)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Build(entries, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
