package server

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// WritePIDFile writes this process's id to path (step-ca's --pidfile),
// through a temporary file and a rename so a reader never sees a partial
// file. The returned func removes it; call it on exit.
func WritePIDFile(path string) (remove func() error, err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".pid-*")
	if err != nil {
		return nil, fmt.Errorf("writing pid file: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	_, werr := tmp.WriteString(strconv.Itoa(os.Getpid()) + "\n")
	cerr := tmp.Close()
	if werr != nil || cerr != nil {
		return nil, fmt.Errorf("writing pid file %s: %v %v", path, werr, cerr)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return nil, fmt.Errorf("writing pid file: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return nil, fmt.Errorf("writing pid file: %w", err)
	}
	return func() error { return os.Remove(path) }, nil
}
