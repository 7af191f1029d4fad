// Package truststore adds and removes root certificates in the system trust
// store of Debian/Ubuntu, Fedora/RHEL and Alpine: a PEM file in the
// distribution's anchors directory, then the distribution's refresh command.
//
// Every path can be rooted under another directory (System.Root), which is how
// tests and image builds use it without touching the running system.
package truststore

import (
	"bufio"
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Store is one distribution family's trust store layout.
type Store struct {
	Family  string   // "debian", "fedora" or "alpine"
	Dir     string   // anchors directory, absolute, relative to the system root
	Ext     string   // file extension the refresh tool picks up
	Refresh []string // command that rebuilds the bundles, absolute path first
	// Purge is the command that rebuilds the bundles after an anchor was
	// removed, when Refresh does not do it fully (nil: Refresh). Debian's
	// update-ca-certificates leaves the links of a removed local anchor in
	// /etc/ssl/certs, dangling, unless it runs with --fresh.
	Purge []string
}

var (
	debian = Store{"debian", "/usr/local/share/ca-certificates", ".crt", []string{"/usr/sbin/update-ca-certificates"},
		[]string{"/usr/sbin/update-ca-certificates", "--fresh"}}
	fedora = Store{"fedora", "/etc/pki/ca-trust/source/anchors", ".pem", []string{"/usr/bin/update-ca-trust", "extract"}, nil}
	alpine = Store{"alpine", "/usr/local/share/ca-certificates", ".crt", []string{"/usr/sbin/update-ca-certificates"}, nil}
)

// ErrUnsupported is returned when no known trust store layout is found.
var ErrUnsupported = errors.New("no supported system trust store found (Debian/Ubuntu, Fedora/RHEL or Alpine)")

// Runner runs a refresh command. root is the system root ("" for the running
// system); argv[0] is an absolute path relative to root.
type Runner func(ctx context.Context, root string, argv []string) error

// System is a machine's trust store: where its files live and how commands run.
type System struct {
	Root string // "" for the running system; else every path is under Root
	Run  Runner // nil runs the command (under chroot when Root is set)
}

// Detect finds the store from /etc/os-release (ID, then ID_LIKE), falling
// back to whichever refresh tool is installed.
func (s System) Detect() (Store, error) {
	ids := osReleaseIDs(s.path("/etc/os-release"))
	for _, id := range ids {
		switch id {
		case "debian", "ubuntu":
			return debian, nil
		case "fedora", "rhel", "centos", "rocky", "almalinux", "amzn", "ol":
			return fedora, nil
		case "alpine":
			return alpine, nil
		}
	}
	for _, st := range []Store{fedora, debian} {
		if _, err := os.Stat(s.path(st.Refresh[0])); err == nil {
			return st, nil
		}
	}
	return Store{}, ErrUnsupported
}

func (s System) path(p string) string {
	if s.Root == "" {
		return p
	}
	return filepath.Join(s.Root, p)
}

// osReleaseIDs returns ID followed by the words of ID_LIKE.
func osReleaseIDs(path string) []string {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var id string
	var like []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if !ok {
			continue
		}
		v = strings.ToLower(strings.Trim(v, `"' `))
		switch k {
		case "ID":
			id = v
		case "ID_LIKE":
			like = strings.Fields(v)
		}
	}
	return append([]string{id}, like...)
}

// FileName is the anchor file name for cert: "stride-<name>-<serial>" where
// name is prefix (or the subject's common name) reduced to [a-z0-9-].
func FileName(cert *x509.Certificate, prefix string) string {
	if prefix == "" {
		prefix = cert.Subject.CommonName
	}
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(prefix) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	name := strings.TrimSuffix(b.String(), "-")
	if name == "" {
		name = "root"
	}
	return "stride-" + name + "-" + cert.SerialNumber.Text(16)
}

// Install writes cert into the store's anchors directory and refreshes the
// store. It returns the file written and whether the refresh ran.
func (s System) Install(ctx context.Context, st Store, cert *x509.Certificate, prefix string) (string, bool, error) {
	dir := s.path(st.Dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", false, fmt.Errorf("creating %s: %w", dir, err)
	}
	file := filepath.Join(dir, FileName(cert, prefix)+st.Ext)
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
	if err := os.WriteFile(file, data, 0o644); err != nil { //nolint:gosec // trust anchors are public and must be world-readable
		return "", false, fmt.Errorf("writing %s: %w", file, err)
	}
	ran, err := s.refresh(ctx, st.Refresh)
	return file, ran, err
}

// Uninstall removes every anchor file of the store that holds cert (whatever
// its name) and rebuilds the store (Purge, else Refresh), leaving no trace of
// cert. It returns the files removed.
func (s System) Uninstall(ctx context.Context, st Store, cert *x509.Certificate) ([]string, bool, error) {
	dir := s.path(st.Dir)
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, false, fmt.Errorf("reading %s: %w", dir, err)
	}
	var removed []string
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		if !e.Type().IsRegular() || !holdsCert(p, cert) {
			continue
		}
		if err := os.Remove(p); err != nil {
			return removed, false, fmt.Errorf("removing %s: %w", p, err)
		}
		removed = append(removed, p)
	}
	if len(removed) == 0 {
		return nil, false, nil
	}
	purge := st.Purge
	if purge == nil {
		purge = st.Refresh
	}
	ran, err := s.refresh(ctx, purge)
	return removed, ran, err
}

func holdsCert(path string, cert *x509.Certificate) bool {
	b, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	for {
		var block *pem.Block
		block, b = pem.Decode(b)
		if block == nil {
			return false
		}
		if block.Type == "CERTIFICATE" && bytes.Equal(block.Bytes, cert.Raw) {
			return true
		}
	}
}

// refresh runs a refresh command of the store (argv[0] absolute); under a
// Root it is skipped (false, nil) when the tool is not installed there.
func (s System) refresh(ctx context.Context, argv []string) (bool, error) {
	if _, err := os.Stat(s.path(argv[0])); err != nil {
		if s.Root != "" {
			return false, nil
		}
		return false, fmt.Errorf("%s not found: %w", argv[0], err)
	}
	run := s.Run
	if run == nil {
		run = execRunner
	}
	if err := run(ctx, s.Root, argv); err != nil {
		return false, fmt.Errorf("running %s: %w", strings.Join(argv, " "), err)
	}
	return true, nil
}

// execRunner runs argv, inside root with chroot when root is set.
func execRunner(ctx context.Context, root string, argv []string) error {
	if root != "" {
		argv = append([]string{"chroot", root}, argv...)
	}
	out, err := exec.CommandContext(ctx, argv[0], argv[1:]...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%w: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}
