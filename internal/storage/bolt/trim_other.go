//go:build !linux

package bolt

// dropMapping is Linux-only; elsewhere the mapping is left to the OS.
func dropMapping(uintptr, int64) error { return nil }
