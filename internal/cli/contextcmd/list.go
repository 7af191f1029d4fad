package contextcmd

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
	"github.com/stride-pki/stride/internal/config"
)

// contextJSON is how --format json shows a context (step's `current --json` keys).
type contextJSON struct {
	Name      string `json:"name"`
	Authority string `json:"authority"`
	Profile   string `json:"profile"`
	Current   bool   `json:"current,omitempty"`
}

func newListCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "list the contexts, the current one first and marked with ▶",
		Example: `  stride context list
  stride context list --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "text" && format != "json" {
				return cmdutil.Usagef("--format must be text or json, not %q", format)
			}
			ctxs, err := config.LoadContexts(base())
			if err != nil {
				return err
			}
			cur, err := config.LoadCurrentContext(base())
			if err != nil {
				return err
			}
			if format == "json" {
				return printListJSON(cmd, ctxs, cur)
			}
			// step prints the current context first, then the others.
			out := cmd.OutOrStdout()
			if _, ok := ctxs[cur]; ok {
				fmt.Fprintln(out, "▶ "+cur)
			}
			for _, name := range config.ContextNames(ctxs) {
				if name != cur {
					fmt.Fprintln(out, name)
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}

func printListJSON(cmd *cobra.Command, ctxs config.ContextsFile, cur string) error {
	list := []contextJSON{}
	for _, name := range config.ContextNames(ctxs) {
		c := ctxs[name]
		list = append(list, contextJSON{Name: name, Authority: c.Authority, Profile: c.Profile, Current: name == cur})
	}
	b, err := json.MarshalIndent(list, "", "  ")
	if err != nil {
		return err
	}
	fmt.Fprintln(cmd.OutOrStdout(), string(b))
	return nil
}
