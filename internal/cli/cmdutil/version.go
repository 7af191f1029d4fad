package cmdutil

// Version is the CLI's version, copied here by cli.NewRoot so that command
// packages can name it (in the User-Agent they send) without importing cli.
var Version = "dev"
