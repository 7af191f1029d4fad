package cacmd

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
)

func newProvisionerListCmd() *cobra.Command {
	var f caFileFlags
	cmd := &cobra.Command{
		Use:   "list",
		Short: "print the provisioners as a JSON array",
		Long: `Print the provisioners as a JSON array of their ca.json objects (with the JWK
provisioners' encryptedKey), as step does.

They are read from ca.json (--ca-config, by default $STRIDEPATH/config/ca.json). Given
--ca-url on the command line, or when no ca.json is at hand but a CA URL is known from
defaults.json, they are read from the CA's /provisioners instead, trusting --root.`,
		Example: `  stride ca provisioner list
  stride ca provisioner list --ca-config /etc/stride/config/ca.json
  stride ca provisioner list --ca-url https://ca.internal:9000 --root root_ca.crt`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			provs, err := f.listProvisioners(cmd)
			if err != nil {
				return err
			}
			return printProvisioners(cmd.OutOrStdout(), provs)
		},
	}
	f.register(cmd, false)
	return cmd
}

// listProvisioners picks the source: --ca-url given on the command line
// (and no --ca-config) reads the CA; otherwise ca.json, falling back to the
// CA when ca.json does not exist and a CA URL is known.
func (f *caFileFlags) listProvisioners(cmd *cobra.Command) ([]json.RawMessage, error) {
	remoteFirst := cmd.Flags().Changed("ca-url") && !cmd.Flags().Changed("ca-config")
	if remoteFirst {
		return fetchProvisioners(cmd.Context(), f.caURL, f.root)
	}
	path, err := f.configPath(cmd)
	if err != nil {
		return nil, err
	}
	if _, statErr := os.Stat(path); errors.Is(statErr, os.ErrNotExist) && f.caURL != "" && !cmd.Flags().Changed("ca-config") {
		return fetchProvisioners(cmd.Context(), f.caURL, f.root)
	}
	c, err := f.loadCAConfig(cmd)
	if err != nil {
		return nil, err
	}
	out := make([]json.RawMessage, 0, len(c.Authority.Provisioners))
	for _, p := range c.Authority.Provisioners {
		out = append(out, p.Raw())
	}
	return out, nil
}

// printProvisioners writes the objects as one JSON array, indented by three
// spaces as step prints it, keeping each object's member order.
func printProvisioners(w io.Writer, provs []json.RawMessage) error {
	var buf bytes.Buffer
	buf.WriteString("[")
	for i, p := range provs {
		if i > 0 {
			buf.WriteString(",")
		}
		buf.Write(p)
	}
	buf.WriteString("]")
	var out bytes.Buffer
	if err := json.Indent(&out, buf.Bytes(), "", "   "); err != nil {
		return fmt.Errorf("formatting the provisioners: %w", err)
	}
	out.WriteByte('\n')
	_, err := w.Write(out.Bytes())
	return err
}
