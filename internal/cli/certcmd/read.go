package certcmd

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// This file holds the minimal certificate/CSR reading the commands need. It
// is kept small on purpose so that it can be swapped for internal/pemutil.

// input is what a FILE argument held: certificates (leaf first, in file
// order) or one certificate request.
type input struct {
	name  string
	certs []*x509.Certificate
	csr   *x509.CertificateRequest
}

// readInput reads path as PEM (every CERTIFICATE block, else the first
// CERTIFICATE REQUEST) or as DER (a certificate, else a CSR).
func readInput(path string) (*input, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, unwrapPathErr(err))
	}
	in, err := parseInput(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	in.name = path
	return in, nil
}

// unwrapPathErr drops the path os.ReadFile repeats, so messages name the file once.
func unwrapPathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func parseInput(b []byte) (*input, error) {
	if !bytes.Contains(b, []byte("-----BEGIN")) {
		return parseDER(b)
	}
	in := &input{}
	rest := b
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		switch block.Type {
		case "CERTIFICATE":
			c, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("invalid certificate #%d: %w", len(in.certs)+1, err)
			}
			in.certs = append(in.certs, c)
		case "CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST":
			if in.csr != nil || len(in.certs) > 0 {
				continue
			}
			csr, err := x509.ParseCertificateRequest(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("invalid certificate request: %w", err)
			}
			in.csr = csr
		}
	}
	if len(in.certs) > 0 {
		in.csr = nil
		return in, nil
	}
	if in.csr != nil {
		return in, nil
	}
	return nil, errors.New("contains no valid PEM certificate or certificate request")
}

func parseDER(b []byte) (*input, error) {
	if certs, err := x509.ParseCertificates(b); err == nil && len(certs) > 0 {
		return &input{certs: certs}, nil
	}
	if csr, err := x509.ParseCertificateRequest(b); err == nil {
		return &input{csr: csr}, nil
	}
	return nil, errors.New("is neither a PEM nor a DER certificate or certificate request")
}

// readCerts reads a file that must hold at least one certificate.
func readCerts(path string) ([]*x509.Certificate, error) {
	in, err := readInput(path)
	if err != nil {
		return nil, err
	}
	if len(in.certs) == 0 {
		return nil, fmt.Errorf("%s: is a certificate request, not a certificate", path)
	}
	return in.certs, nil
}

// loadRoots builds a pool from step's --roots forms: a file, a comma-separated
// list of files, or a directory (every certificate of every file in it).
func loadRoots(spec string) (*x509.CertPool, error) {
	pool := x509.NewCertPool()
	for _, p := range strings.Split(spec, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		files, isDir, err := rootFiles(p)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			certs, err := readCerts(f)
			if err != nil && isDir {
				continue // a directory may hold other files too
			}
			if err != nil {
				return nil, err
			}
			for _, c := range certs {
				pool.AddCert(c)
			}
		}
	}
	return pool, nil
}

func rootFiles(p string) (files []string, isDir bool, err error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, false, fmt.Errorf("reading roots %s: %w", p, unwrapPathErr(err))
	}
	if !st.IsDir() {
		return []string{p}, false, nil
	}
	entries, err := os.ReadDir(p)
	if err != nil {
		return nil, true, fmt.Errorf("reading roots %s: %w", p, err)
	}
	var out []string
	for _, e := range entries {
		if e.Type().IsRegular() {
			out = append(out, filepath.Join(p, e.Name()))
		}
	}
	return out, true, nil
}
