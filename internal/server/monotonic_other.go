//go:build !linux

package server

// monotonicUsec is only meaningful to systemd, hence Linux; elsewhere the
// field is sent as 0 and ignored.
func monotonicUsec() uint64 { return 0 }
