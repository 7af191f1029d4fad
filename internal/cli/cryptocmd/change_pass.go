package cryptocmd

import (
	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
)

func newChangePassCmd() *cobra.Command {
	return cmdutil.Stub("change-pass KEY_FILE", "change the password of an encrypted key")
}
