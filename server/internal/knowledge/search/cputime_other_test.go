//go:build !linux

package search

import "time"

// threadCPU is not measured outside Linux; the benchmark then reports zero.
func threadCPU() time.Duration { return 0 }

func processCPU() time.Duration { return 0 }
