package cmdutil

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

// FormatFlag registers `--format text|json` on a command that prints data.
// text (the default) keeps the command's usual output; json prints one JSON
// document on stdout for scripts.
func FormatFlag(cmd *cobra.Command, p *string) {
	cmd.Flags().StringVar(p, "format", "text", "output `format`: text or json")
}

// WantJSON checks a --format value and reports whether it asks for JSON; any
// value but text or json is a usage error.
func WantJSON(format string) (bool, error) {
	switch format {
	case "", "text":
		return false, nil
	case "json":
		return true, nil
	}
	return false, Usagef("--format must be text or json, not %q", format)
}

// PrintJSON writes v as indented JSON followed by a newline.
func PrintJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(w, string(b))
	return err
}
