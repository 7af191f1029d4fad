package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
)

// startProfiles writes the profiles the performance work reads (bench/README.md,
// "Profiling the server") when their environment variables name a file:
// STRIDE_CPUPROFILE (CPU, the whole run), STRIDE_MEMPROFILE (allocations, at
// exit), STRIDE_MUTEXPROFILE and STRIDE_BLOCKPROFILE (contention, at exit).
// They are environment variables rather than flags so that bench/sign/run,
// which starts the server with step-ca's arguments, can switch them on; unset,
// they cost nothing. The returned function stops and writes them.
func startProfiles() func() {
	var stops []func()
	if path := os.Getenv("STRIDE_CPUPROFILE"); path != "" {
		if f, err := os.Create(path); err != nil {
			fmt.Fprintln(os.Stderr, "stride-ca: cpu profile:", err)
		} else if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "stride-ca: cpu profile:", err)
			f.Close()
		} else {
			stops = append(stops, func() { pprof.StopCPUProfile(); f.Close() })
		}
	}
	if path := os.Getenv("STRIDE_MEMPROFILE"); path != "" {
		runtime.MemProfileRate = 64 << 10 // finer than the default 512 KiB: allocations are small
		stops = append(stops, func() { writeProfile("allocs", path) })
	}
	if path := os.Getenv("STRIDE_MUTEXPROFILE"); path != "" {
		runtime.SetMutexProfileFraction(5)
		stops = append(stops, func() { writeProfile("mutex", path) })
	}
	if path := os.Getenv("STRIDE_BLOCKPROFILE"); path != "" {
		runtime.SetBlockProfileRate(100_000) // one sample per 100 µs blocked
		stops = append(stops, func() { writeProfile("block", path) })
	}
	return func() {
		for _, stop := range stops {
			stop()
		}
	}
}

func writeProfile(name, path string) {
	f, err := os.Create(path)
	if err == nil {
		err = pprof.Lookup(name).WriteTo(f, 0)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "stride-ca: %s profile: %v\n", name, err)
	}
}
