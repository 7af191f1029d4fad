package bolt

import "syscall"

// dropMapping advises the kernel that [addr, addr+size) of a shared file
// mapping is not needed: its pages leave the process's RSS, the file's data
// stays in the page cache and on disk.
func dropMapping(addr uintptr, size int64) error {
	if size <= 0 {
		return nil
	}
	if _, _, errno := syscall.Syscall(syscall.SYS_MADVISE, addr, uintptr(size), syscall.MADV_DONTNEED); errno != 0 {
		return errno
	}
	return nil
}
