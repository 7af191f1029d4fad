// Command stride is Stride's CLI: the step-compatible client and offline PKI tools.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/stride-pki/stride/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
