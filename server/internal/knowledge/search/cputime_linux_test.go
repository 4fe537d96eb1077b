package search

import (
	"syscall"
	"time"
	"unsafe"
)

// threadCPU is the CPU time of the calling thread. On a shared machine a
// query's wall time includes waiting for a core; its CPU time is what the
// index itself costs. Callers lock the goroutine to its thread.
func threadCPU() time.Duration {
	const clockThreadCPUTimeID = 3
	var ts syscall.Timespec
	syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTimeID, uintptr(unsafe.Pointer(&ts)), 0)
	return time.Duration(ts.Nano())
}

// processCPU is the CPU time of the whole process, garbage collector
// included, for the build benchmark.
func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
