package certcmd

import (
	"crypto/sha1" //nolint:gosec // --sha1 is an explicit, --insecure-gated choice
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
)

type fingerprintOptions struct {
	format string
	sha1   bool
	bundle bool
	remote remoteFlags
}

func newFingerprintCmd() *cobra.Command {
	var o fingerprintOptions
	cmd := &cobra.Command{
		Use:   "fingerprint FILE|URL",
		Short: "print a certificate's fingerprint",
		Long: `Print the SHA-256 fingerprint of a certificate (or CSR): the hash of its DER
encoding, in lowercase hex unless --format says otherwise. This is the value
--fingerprint flags expect (ca bootstrap).

--format is one of hex, base64, base64-url, base64-raw, base64-url-raw (step's
"emoji" format is not supported). --sha1 requires --insecure.`,
		Example: `  stride certificate fingerprint root_ca.crt
  stride certificate fingerprint --bundle chain.crt
  stride certificate fingerprint --format base64-url-raw root_ca.crt
  stride certificate fingerprint https://ca.internal:9000 --roots root_ca.crt`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runFingerprint(cmd, args[0], o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.format, "format", "hex", "fingerprint encoding: hex, base64, base64-url, base64-raw or base64-url-raw")
	f.BoolVar(&o.sha1, "sha1", false, "use SHA-1 instead of SHA-256 (requires --insecure)")
	f.BoolVar(&o.bundle, "bundle", false, "print the fingerprint of every certificate, numbered, in file order")
	o.remote.register(cmd, true)
	return cmd
}

func runFingerprint(cmd *cobra.Command, arg string, o fingerprintOptions) error {
	encode, err := fingerprintEncoder(o.format)
	if err != nil {
		return err
	}
	if o.sha1 && !o.remote.insecure {
		return cmdutil.Usagef("flag --sha1 requires the --insecure flag")
	}
	in, err := loadArg(cmd, arg, o.remote)
	if err != nil {
		return err
	}
	ders := [][]byte{}
	if in.csr != nil {
		ders = append(ders, in.csr.Raw)
	}
	for _, c := range in.certs {
		ders = append(ders, c.Raw)
	}
	sum := func(b []byte) []byte { s := sha256.Sum256(b); return s[:] }
	if o.sha1 {
		sum = func(b []byte) []byte { s := sha1.Sum(b); return s[:] } //nolint:gosec // see --sha1
	}
	out := cmd.OutOrStdout()
	if !o.bundle {
		fmt.Fprintln(out, encode(sum(ders[0])))
		return nil
	}
	for i, der := range ders {
		fmt.Fprintf(out, "%d: %s\n", i, encode(sum(der)))
	}
	return nil
}

// fingerprintEncoder returns the encoding named by step's --format values.
func fingerprintEncoder(format string) (func([]byte) string, error) {
	switch format {
	case "hex", "":
		return hex.EncodeToString, nil
	case "base64":
		return base64.StdEncoding.EncodeToString, nil
	case "base64-url", "base64url":
		return base64.URLEncoding.EncodeToString, nil
	case "base64-raw", "base64raw":
		return base64.RawStdEncoding.EncodeToString, nil
	case "base64-url-raw", "base64urlraw":
		return base64.RawURLEncoding.EncodeToString, nil
	case "emoji":
		return nil, cmdutil.Usagef("--format emoji is not supported; use hex or a base64 form")
	}
	return nil, cmdutil.Usagef("invalid value %q for --format: use hex, base64, base64-url, base64-raw or base64-url-raw", format)
}
