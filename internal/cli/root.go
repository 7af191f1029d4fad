// Package cli is the `stride` command tree. It mirrors step's commands and
// flags so that scripts port by changing the binary's name. Each command group
// is a package of its own (cacmd, certcmd, cryptocmd, contextcmd), one file per
// command; cmdutil holds what they share.
package cli

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"strings"

	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cacmd"
	"github.com/stride-pki/stride/internal/cli/certcmd"
	"github.com/stride-pki/stride/internal/cli/cmdutil"
	"github.com/stride-pki/stride/internal/cli/contextcmd"
	"github.com/stride-pki/stride/internal/cli/cryptocmd"
)

// Version is set at build time with -ldflags "-X .../internal/cli.Version=…".
var Version = "0.1.0-dev"

// Main runs the CLI with args and returns the process exit code (0 ok,
// 1 failure, 2 usage). Errors are printed as one line on stderr.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := NewRoot()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err != nil && strings.HasPrefix(err.Error(), "unknown command") {
		err = &cmdutil.UsageError{Err: err} // cobra has no typed error for this
	}
	if err != nil && !cmdutil.IsSilent(err) {
		fmt.Fprintln(stderr, "error: "+oneLine(err.Error()))
	}
	return cmdutil.ExitCode(err)
}

// NewRoot builds the whole command tree.
func NewRoot() *cobra.Command {
	cmdutil.Version = Version
	root := &cobra.Command{
		Use:           "stride",
		Short:         "Stride: a step-compatible private certificate authority toolkit",
		Version:       Version,
		SilenceErrors: true,
		SilenceUsage:  true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if cmd.Annotations[cmdutil.AnnotationNoDefaults] != "" {
				return cmdutil.ApplyDefaults(cmd, nil)
			}
			paths, err := cmdutil.Paths(cmd)
			if err != nil {
				return err
			}
			defaults, err := cmdutil.LoadFlagDefaults(paths)
			if err != nil {
				return err
			}
			return cmdutil.ApplyDefaults(cmd, defaults)
		},
	}
	root.CompletionOptions.DisableDefaultCmd = true // newCompletionCmd replaces it
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &cmdutil.UsageError{Err: err}
	})
	root.AddCommand(
		newPathCmd(),
		newVersionCmd(),
		newCompletionCmd(),
		cacmd.New(),
		certcmd.New(),
		cryptocmd.New(),
		contextcmd.New(),
	)
	wrapArgs(root)
	return root
}

// wrapArgs makes argument-count errors usage errors (exit 2) everywhere, and
// an unknown subcommand of a group (`stride ca bogus`) one too: cobra would
// print the group's help and exit 0.
func wrapArgs(cmd *cobra.Command) {
	if cmd.HasSubCommands() && !cmd.Runnable() && cmd.HasParent() {
		cmd.Args = cobra.ArbitraryArgs
		cmd.RunE = func(c *cobra.Command, args []string) error {
			if len(args) > 0 {
				return cmdutil.Usagef("unknown command %q for %q; see %s --help", args[0], c.CommandPath(), c.CommandPath())
			}
			return c.Help()
		}
	} else if cmd.Args != nil {
		orig := cmd.Args
		cmd.Args = func(c *cobra.Command, args []string) error {
			if err := orig(c, args); err != nil {
				return &cmdutil.UsageError{Err: err}
			}
			return nil
		}
	}
	for _, c := range cmd.Commands() {
		wrapArgs(c)
	}
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}

func newVersionCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "version",
		Short: "print the version",
		Example: `  stride version
  stride version --format json   # {"name":"Stride CLI","version":…,"goVersion":…,"platform":…}`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			asJSON, err := cmdutil.WantJSON(format)
			if err != nil {
				return err
			}
			if asJSON {
				return cmdutil.PrintJSON(cmd.OutOrStdout(), map[string]string{
					"name": "Stride CLI", "version": Version, "goVersion": runtime.Version(),
					"platform": runtime.GOOS + "/" + runtime.GOARCH,
				})
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Stride CLI/%s\n", Version)
			return nil
		},
	}
	cmdutil.FormatFlag(cmd, &format)
	return cmd
}
