package cmdutil

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/config"
)

// Paths resolves the authority directory for cmd: --context when the command
// has that flag, else STRIDE_CONTEXT, else the current context, else $STRIDEPATH.
func Paths(cmd *cobra.Command) (config.Paths, error) {
	name := os.Getenv(EnvName("context"))
	if f := cmd.Flags().Lookup("context"); f != nil && f.Value.String() != "" {
		name = f.Value.String()
	}
	return config.ResolvePaths(BasePath(), name)
}

// LoadFlagDefaults reads defaults.json (and the profile's, which wins) as a
// flag-name -> value map. Missing files give no defaults.
func LoadFlagDefaults(p config.Paths) (map[string]string, error) {
	out := map[string]string{}
	for _, path := range []string{p.Defaults(), p.ProfileDefaults()} {
		if path == "" {
			continue
		}
		b, err := os.ReadFile(path)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", path, err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("%s is not valid JSON: %v", path, err)
		}
		for k, v := range m {
			switch v := v.(type) {
			case string:
				out[k] = v
			case bool:
				out[k] = strconv.FormatBool(v)
			case float64:
				out[k] = strconv.FormatFloat(v, 'f', -1, 64)
			}
		}
	}
	return out, nil
}

// AnnotationNoDefaults marks a command that must not read defaults.json
// (`ca init` creates it, possibly for a context that does not exist yet);
// STRIDE_* variables still apply.
const AnnotationNoDefaults = "stride/no-defaults"
