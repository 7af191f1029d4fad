package contextcmd

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
	"github.com/stride-pki/stride/internal/config"
)

func newRemoveCmd() *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "remove NAME",
		Short: "remove a context and its authority and profile directories",
		Long: `Remove a context from contexts.json and delete its authorities/<authority> and
profiles/<profile> directories (keys included), unless another context uses them.
The current context cannot be removed: select another one first.`,
		Example: `  stride context remove staging
  stride context remove staging --force   # no confirmation`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			if err := checkRemovable(name); err != nil {
				return err
			}
			dirs, err := config.ContextDirs(base(), name)
			if err != nil {
				return err
			}
			if !force {
				if err := confirmRemove(cmd.InOrStdin(), cmd.ErrOrStderr(), name, dirs); err != nil {
					return err
				}
			}
			_, err = config.RemoveContext(base(), name, true)
			return err
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "remove without asking for confirmation")
	return cmd
}

// checkRemovable fails early, before any prompt, for the current context.
func checkRemovable(name string) error {
	cur, err := config.LoadCurrentContext(base())
	if err != nil {
		return err
	}
	if cur == name {
		return fmt.Errorf("context %q: %w; select another one first", name, config.ErrCurrentContext)
	}
	return nil
}

// confirmRemove shows what will be deleted and asks; without a terminal it
// fails, telling to pass --force.
func confirmRemove(in io.Reader, out io.Writer, name string, dirs []string) error {
	p := cmdutil.NewPrompter(in, out)
	if p == nil {
		return cmdutil.Usagef("removing context %q needs confirmation and stdin is not a terminal: pass --force", name)
	}
	fmt.Fprintf(out, "Context %q will be removed", name)
	if len(dirs) > 0 {
		fmt.Fprintln(out, ", with these directories:")
		for _, d := range dirs {
			fmt.Fprintln(out, "  - "+d)
		}
	} else {
		fmt.Fprintln(out, ".")
	}
	ok, err := p.Confirm("Remove it?")
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("context %q not removed", name)
	}
	return nil
}
