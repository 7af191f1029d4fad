package cmdutil

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
)

// EnvPrefix is the prefix of environment variables that give flag defaults,
// as step's STEP_<FLAG>: --ca-url is read from STRIDE_CA_URL.
const EnvPrefix = "STRIDE_"

// BasePath returns $STRIDEPATH, or ~/.stride when it is unset.
func BasePath() string {
	if p := os.Getenv("STRIDEPATH"); p != "" {
		return filepath.Clean(p)
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return ".stride"
	}
	return filepath.Join(home, ".stride")
}

// EnvName is the environment variable that gives a default for flag name.
func EnvName(flag string) string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// ApplyDefaults fills every flag of cmd that the user did not set, first from
// its STRIDE_<FLAG> variable and then from defaults (the keys of
// defaults.json), the way step reads STEP_<FLAG> and its defaults.json.
func ApplyDefaults(cmd *cobra.Command, defaults map[string]string) error {
	var firstErr error
	cmd.Flags().VisitAll(func(f *pflagFlag) {
		if f.Changed || firstErr != nil {
			return
		}
		v, ok := os.LookupEnv(EnvName(f.Name))
		if !ok {
			v, ok = defaults[f.Name]
		}
		if !ok {
			return
		}
		if err := cmd.Flags().Set(f.Name, v); err != nil {
			firstErr = Usagef("default for --%s (%q): %v", f.Name, v, err)
			return
		}
		// A default is not the user's choice: keep Changed false so
		// commands can still tell the two apart.
		f.Changed = false
	})
	return firstErr
}
