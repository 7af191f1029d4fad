package dbcmd

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/admin"
	"github.com/stride-pki/stride/internal/cli/cmdutil"
)

func newExportCmd() *cobra.Command {
	var caConfig, out string
	cmd := &cobra.Command{
		Use:   "export",
		Short: "write every record of a CA's database as JSON lines",
		Long: `Write every certificate, revocation, used token and ACME record (EAB keys, accounts, orders
with their authorizations) of the database the ca.json names to --out (default standard
output), one JSON object per line after a header line {"kind":"stride-export","version":2}.
See docs/cli.md for the format.`,
		Example: `  stride ca db export --out backup.jsonl`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, err := openCAConfig(cmd, caConfig)
			if err != nil {
				return err
			}
			defer closeQuietly(db)
			w, done, err := output(cmd, out)
			if err != nil {
				return err
			}
			c, err := db.Export(cmdutil.Context(cmd), w)
			if err = done(err); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "exported %s\n", c)
			return nil
		},
	}
	cmd.Flags().StringVar(&caConfig, "ca-config", "", "the CA's ca.json (default $STRIDEPATH/config/ca.json)")
	cmd.Flags().StringVar(&out, "out", "", "the file to write (default standard output); written whole or not at all")
	return cmd
}

// output is where an export goes: standard output, or a temporary file
// renamed to path once the export succeeded. done closes it and returns
// the first error.
func output(cmd *cobra.Command, path string) (*bufio.Writer, func(error) error, error) {
	if path == "" {
		w := bufio.NewWriter(cmd.OutOrStdout())
		return w, func(err error) error {
			if ferr := w.Flush(); err == nil {
				err = ferr
			}
			return err
		}, nil
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".stride-export-*")
	if err != nil {
		return nil, nil, err
	}
	w := bufio.NewWriter(f)
	return w, func(err error) error {
		if err == nil {
			err = w.Flush()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(f.Name(), path)
		}
		if err != nil {
			os.Remove(f.Name())
		}
		return err
	}, nil
}

func newImportCmd() *cobra.Command {
	var caConfig string
	cmd := &cobra.Command{
		Use:   "import FILE",
		Short: "add the records of an export file to a CA's database",
		Long: `Check every line of FILE (an export) first: a corrupt line stops the import with its line
number and writes nothing. Then write each record in its own transaction; records the
database has already are left alone, so an interrupted import resumes when run again.`,
		Example: `  stride ca db import backup.jsonl --ca-config /srv/ca/config/ca.json`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			db, err := openCAConfig(cmd, caConfig)
			if err != nil {
				return err
			}
			defer closeQuietly(db)
			res, err := db.Import(cmdutil.Context(cmd), f, progressLine(cmd.ErrOrStderr()))
			fmt.Fprintln(cmd.ErrOrStderr())
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			report(cmd, res)
			return nil
		},
	}
	cmd.Flags().StringVar(&caConfig, "ca-config", "", "the CA's ca.json (default $STRIDEPATH/config/ca.json)")
	return cmd
}

func newMigrateCmd() *cobra.Command {
	var from, to string
	cmd := &cobra.Command{
		Use:   "migrate --from DB --to DB",
		Short: "copy every record from one database to another, verifying counts",
		Long: `Copy every certificate, revocation, used token and ACME record from --from to --to, with a progress bar
on standard error, then verify the counts. Each of --from and --to is a db config JSON
object like ca.json's "db" (e.g. '{"type":"postgresql","dataSource":"postgres://…"}') or
the path of a ca.json. Records --to has already are left alone: an interrupted migration
resumes when run again. Afterwards, point ca.json's "db" at the new database.`,
		Example: `  stride ca db migrate --from $STRIDEPATH/config/ca.json \
    --to '{"type":"postgresql","dataSource":"postgres://stride@db.internal/stride"}'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if from == "" || to == "" {
				return &cmdutil.UsageError{Err: fmt.Errorf("both --from and --to are required")}
			}
			return migrate(cmd, from, to)
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "the source database: db config JSON or a ca.json path")
	cmd.Flags().StringVar(&to, "to", "", "the target database: db config JSON or a ca.json path")
	return cmd
}

func migrate(cmd *cobra.Command, from, to string) error {
	paths, err := cmdutil.Paths(cmd)
	if err != nil {
		return err
	}
	src, err := openSpec(from, paths.Authority)
	if err != nil {
		return fmt.Errorf("--from: %w", err)
	}
	defer closeQuietly(src)
	dst, err := openSpec(to, paths.Authority)
	if err != nil {
		return fmt.Errorf("--to: %w", err)
	}
	defer closeQuietly(dst)
	res, err := admin.Migrate(cmdutil.Context(cmd), src, dst, progressLine(cmd.ErrOrStderr()))
	fmt.Fprintln(cmd.ErrOrStderr())
	if err != nil {
		return err
	}
	report(cmd, res)
	fmt.Fprintln(cmd.ErrOrStderr(), "counts verified")
	return nil
}

func report(cmd *cobra.Command, res admin.ImportResult) {
	fmt.Fprintf(cmd.ErrOrStderr(), "read %s\nnew: %s\nalready there: %s\n", res.Read, res.Written, res.Existing)
}
