package cmdutil

import (
	"errors"
	"fmt"
	"os"

	"github.com/stride-pki/stride/internal/fileutil"
)

// CheckNotExists fails when path exists and force is false, so that a command
// never overwrites a key or certificate the user did not ask it to replace.
func CheckNotExists(path string, force bool) error {
	if force {
		return nil
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("%s already exists; use --force to overwrite it", path)
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("checking %s: %w", path, err)
	}
	return nil
}

// WriteFile writes data to path atomically, creating parent directories, so
// a failure never leaves half a file.
func WriteFile(path string, data []byte, perm os.FileMode) error {
	return fileutil.WriteFile(path, data, perm)
}
