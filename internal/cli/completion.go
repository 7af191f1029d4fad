package cli

import (
	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
)

// newCompletionCmd replaces cobra's default completion command so that it has
// our help text, reads no defaults.json, and fails with a usage error (exit 2)
// on an unknown shell.
func newCompletionCmd() *cobra.Command {
	var noDesc bool
	cmd := &cobra.Command{
		Use:   "completion bash|zsh|fish|powershell",
		Short: "print a shell completion script",
		Long: `Print the script that makes your shell complete stride's commands and flags.
Load it in the current shell, or install it where your shell looks for completions.`,
		Example: `  source <(stride completion bash)                  # bash, this shell
  stride completion bash > /etc/bash_completion.d/stride
  stride completion zsh > "${fpath[1]}/_stride"         # zsh (with compinit)
  stride completion fish > ~/.config/fish/completions/stride.fish`,
		Args:        cobra.ExactArgs(1),
		ValidArgs:   []string{"bash", "zsh", "fish", "powershell"},
		Annotations: map[string]string{cmdutil.AnnotationNoDefaults: "true"},
		RunE: func(cmd *cobra.Command, args []string) error {
			root, out := cmd.Root(), cmd.OutOrStdout()
			switch args[0] {
			case "bash":
				return root.GenBashCompletionV2(out, !noDesc)
			case "zsh":
				if noDesc {
					return root.GenZshCompletionNoDesc(out)
				}
				return root.GenZshCompletion(out)
			case "fish":
				return root.GenFishCompletion(out, !noDesc)
			case "powershell":
				if noDesc {
					return root.GenPowerShellCompletion(out)
				}
				return root.GenPowerShellCompletionWithDesc(out)
			}
			return cmdutil.Usagef("unknown shell %q: choose bash, zsh, fish or powershell", args[0])
		},
	}
	cmd.Flags().BoolVar(&noDesc, "no-descriptions", false, "complete without the commands' descriptions")
	return cmd
}
