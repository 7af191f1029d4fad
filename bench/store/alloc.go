package main

import (
	"io/fs"
	"syscall"
)

// allocated is the bytes a file occupies on disk (st_blocks is in 512-byte
// units), or its size when the platform does not say.
func allocated(info fs.FileInfo) int64 {
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		return st.Blocks * 512
	}
	return info.Size()
}
