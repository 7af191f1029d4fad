package cryptocmd

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
	"github.com/stride-pki/stride/internal/jose"
)

func newJWTInspectCmd() *cobra.Command {
	var insecure bool
	cmd := &cobra.Command{
		Use:   "inspect --insecure",
		Short: "print a JWT read on stdin without verifying it",
		Long: `Decode the JWT on standard input and print its header, payload and signature
as JSON. Nothing is verified, so --insecure is required.`,
		Example: `  echo $TOKEN | stride crypto jwt inspect --insecure`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !insecure {
				return cmdutil.Usagef("'%s' requires the '--insecure' flag", cmd.CommandPath())
			}
			token, err := readToken(cmd)
			if err != nil {
				return err
			}
			return printJWT(cmd, token)
		},
	}
	cmd.Flags().BoolVar(&insecure, "insecure", false, "acknowledge that the JWT is not verified")
	return cmd
}

// readToken reads the compact JWT on stdin.
func readToken(cmd *cobra.Command) (string, error) {
	in, err := readStdin(cmd.InOrStdin())
	if err != nil {
		return "", err
	}
	token := strings.TrimSpace(string(in))
	if token == "" {
		return "", cmdutil.Usagef("no JWT on standard input")
	}
	return token, nil
}

// printJWT prints {"header","payload","signature"} as step does: objects
// with sorted keys, indented by two spaces.
func printJWT(cmd *cobra.Command, token string) error {
	h, p, sig, err := jose.InspectJWT(token)
	if err != nil {
		return err
	}
	header, err := decodeObject(h)
	if err != nil {
		return err
	}
	payload, err := decodeObject(p)
	if err != nil {
		return err
	}
	out, err := json.MarshalIndent(struct {
		Header    map[string]any `json:"header"`
		Payload   map[string]any `json:"payload"`
		Signature string         `json:"signature"`
	}{header, payload, sig}, "", "  ")
	if err != nil {
		return err
	}
	_, err = cmd.OutOrStdout().Write(append(out, '\n'))
	return err
}

// decodeObject keeps numbers as written (no float rounding of timestamps).
func decodeObject(b []byte) (map[string]any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		return nil, err
	}
	return m, nil
}
