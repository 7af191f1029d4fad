package cmdutil

import (
	"context"
	"errors"

	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/caerr"
)

// Context is cmd's context, or Background when it runs without one (tests
// that Execute a command tree directly).
func Context(cmd *cobra.Command) context.Context {
	if c := cmd.Context(); c != nil {
		return c
	}
	return context.Background()
}

// BadRequestAsUsage turns a core's caerr.BadRequest (a bad flag value or
// argument the offline commands pass to internal/admin) into a UsageError,
// so the exit code says "fix the command line"; other errors pass through.
func BadRequestAsUsage(err error) error {
	var ce *caerr.Error
	if errors.As(err, &ce) && ce.Kind == caerr.BadRequest {
		return &UsageError{Err: err}
	}
	return err
}
