package certcmd

import (
	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
)

func newBundleCmd() *cobra.Command {
	return cmdutil.Stub("bundle CRT_FILE CA_FILE BUNDLE_FILE", "bundle a certificate with its issuers")
}
