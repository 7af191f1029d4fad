package cryptocmd

import (
	"bytes"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
)

// newPassword returns the password to encrypt a private key being written,
// or nil when the user chose --no-password --insecure. fileFlag names the
// flag that gives it in a file, for the error printed without a terminal.
func newPassword(cmd *cobra.Command, file, fileFlag string, noPassword, insecure bool) ([]byte, error) {
	if noPassword {
		if !insecure {
			return nil, cmdutil.Usagef("--no-password requires --insecure")
		}
		if file != "" {
			return nil, cmdutil.Usagef("--no-password and --%s cannot be used together", fileFlag)
		}
		return nil, nil
	}
	if file != "" {
		return cmdutil.ReadPasswordFile(file)
	}
	p := cmdutil.NewPrompter(cmd.InOrStdin(), cmd.ErrOrStderr())
	if p == nil {
		return nil, cmdutil.Usagef("no terminal to ask for a password: use --%s, or --no-password --insecure", fileFlag)
	}
	pw, err := p.Password("Please enter the password to encrypt the private key")
	if err != nil {
		return nil, err
	}
	if len(pw) == 0 {
		return nil, errors.New("the password cannot be empty")
	}
	again, err := p.Password("Please confirm the password")
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(pw, again) {
		return nil, errors.New("the passwords do not match")
	}
	return pw, nil
}

// passwordSource returns a function giving the password to decrypt what,
// read from file or asked on the terminal only when an input turns out to be
// encrypted. Commands whose stdin carries data ask on /dev/tty instead.
func passwordSource(cmd *cobra.Command, file, what string, stdinIsData bool) func() ([]byte, error) {
	return askPassword(cmd, file, "decrypt", what, stdinIsData)
}

// askPassword is passwordSource for a verb: "decrypt" or "encrypt".
func askPassword(cmd *cobra.Command, file, verb, what string, stdinIsData bool) func() ([]byte, error) {
	return func() ([]byte, error) {
		if file != "" {
			return cmdutil.ReadPasswordFile(file)
		}
		p, closeTTY := prompter(cmd, stdinIsData)
		if p == nil {
			return nil, cmdutil.Usagef("no terminal to ask for the password to %s %s: use --password-file", verb, what)
		}
		defer closeTTY()
		pw, err := p.Password("Please enter the password to " + verb + " " + what)
		if err != nil {
			return nil, err
		}
		if len(pw) == 0 {
			return nil, fmt.Errorf("no password given for %s", what)
		}
		return pw, nil
	}
}

// prompter returns a Prompter on stdin, or on /dev/tty when stdin carries the
// command's input, and a function to release it; nil without a terminal.
func prompter(cmd *cobra.Command, stdinIsData bool) (*cmdutil.Prompter, func()) {
	if !stdinIsData {
		return cmdutil.NewPrompter(cmd.InOrStdin(), cmd.ErrOrStderr()), func() {}
	}
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return nil, nil
	}
	p := cmdutil.NewPrompter(tty, tty)
	if p == nil {
		tty.Close()
		return nil, nil
	}
	return p, func() { tty.Close() }
}
