package cmdutil

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// ReadPasswordFile reads a password from a file, dropping trailing newlines and
// spaces as step does, and refuses an empty one.
func ReadPasswordFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("password file %s does not exist", path)
		}
		return nil, fmt.Errorf("cannot read password file %s: %w", path, err)
	}
	b = bytes.TrimRight(b, " \t\r\n")
	if len(b) == 0 {
		return nil, fmt.Errorf("password file %s is empty", path)
	}
	return b, nil
}

// IsTerminal reports whether r is an interactive terminal.
func IsTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// Prompter asks questions on a terminal. It is only built when stdin is one;
// commands that would need it without a terminal fail with the flags to pass.
type Prompter struct {
	in  *os.File
	out io.Writer
	rd  *bufio.Reader
}

// NewPrompter returns a Prompter when in is a terminal, or nil.
func NewPrompter(in io.Reader, out io.Writer) *Prompter {
	if !IsTerminal(in) {
		return nil
	}
	f := in.(*os.File)
	return &Prompter{in: f, out: out, rd: bufio.NewReader(f)}
}

// Ask prints question and returns the trimmed answer, or def when the answer is empty.
func (p *Prompter) Ask(question, def string) (string, error) {
	if def != "" {
		fmt.Fprintf(p.out, "%s [%s]: ", question, def)
	} else {
		fmt.Fprintf(p.out, "%s: ", question)
	}
	line, err := p.rd.ReadString('\n')
	if err != nil && line == "" {
		return "", fmt.Errorf("reading answer: %w", err)
	}
	line = strings.TrimSpace(line)
	if line == "" {
		return def, nil
	}
	return line, nil
}

// Password reads a password without echo. An empty answer is returned as is;
// callers decide whether to generate one.
func (p *Prompter) Password(prompt string) ([]byte, error) {
	fmt.Fprintf(p.out, "%s: ", prompt)
	b, err := term.ReadPassword(int(p.in.Fd()))
	fmt.Fprintln(p.out)
	if err != nil {
		return nil, fmt.Errorf("reading password: %w", err)
	}
	return b, nil
}

// Confirm asks a yes/no question; the default answer is no.
func (p *Prompter) Confirm(question string) (bool, error) {
	a, err := p.Ask(question+" (y/N)", "")
	if err != nil {
		return false, err
	}
	a = strings.ToLower(a)
	return a == "y" || a == "yes", nil
}
