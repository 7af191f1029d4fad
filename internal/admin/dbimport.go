package admin

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"time"

	"github.com/stride-pki/stride/internal/storage"
)

// maxLine bounds one line of an export file (a certificate is a few KiB).
const maxLine = 16 << 20

// progressEvery is how many records pass between two progress reports.
const progressEvery = 1000

// ImportResult says what an import or migration did: Read records, of
// which Written were new to the target and Existing were there already
// (a re-run after an interruption skips them).
type ImportResult struct {
	Read, Written, Existing RecordCounts
}

// Progress receives the running result during an import or migration,
// every few records and once at the end; total is the number of records
// to go through.
type Progress func(done ImportResult, total int)

// LineError is a corrupt line of an import file.
type LineError struct {
	Line int
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }
func (e *LineError) Unwrap() error { return e.Err }

// Import reads an export file from r and writes its records to store.
// It is two passes: the first parses and checks every line and fails on
// the first corrupt one with a *LineError (nothing written); the second
// writes each record through the store's own operations, one transaction
// per record. A record the store has already (same serial, token ID or
// ACME ID; an order counts with its authorizations) counts as Existing
// and is left as it is, so an import interrupted in the second pass
// resumes when run again with the same file.
func Import(ctx context.Context, store storage.Store, r io.ReadSeeker, progress Progress) (ImportResult, error) {
	var res ImportResult
	var total RecordCounts
	err := scanExport(r, func(rec any) error {
		total.add(rec)
		return nil
	})
	if err != nil {
		return res, err
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return res, err
	}
	err = scanExport(r, func(rec any) error {
		return importRecord(ctx, store, rec, &res, total.Total(), progress)
	})
	if progress != nil {
		progress(res, total.Total())
	}
	return res, err
}

// importRecord writes rec to store and counts it in res.
func importRecord(ctx context.Context, store storage.Store, rec any, res *ImportResult, total int, progress Progress) error {
	var err error
	switch r := rec.(type) {
	case *storage.Certificate:
		err = store.RecordIssuance(ctx, *r, nil)
	case *storage.Revocation:
		err = store.Revoke(ctx, *r, nil)
	case *storage.UsedToken:
		err = store.UseToken(ctx, *r)
	default:
		err = importACME(ctx, store, rec)
	}
	res.Read.add(rec)
	switch {
	case err == nil:
		res.Written.add(rec)
	case errors.Is(err, storage.ErrConflict), errors.Is(err, storage.ErrAlreadyRevoked), errors.Is(err, storage.ErrTokenUsed):
		res.Existing.add(rec)
	default:
		return fmt.Errorf("import (%s imported so far; run it again to resume): %w", res.Written, err)
	}
	if progress != nil && res.Read.Total()%progressEvery == 0 {
		progress(*res, total)
	}
	return nil
}

// scanExport calls fn with each record of the export file r, in order,
// after checking the header; a corrupt line is a *LineError.
func scanExport(r io.Reader, fn func(rec any) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	n, version := 0, 0
	for sc.Scan() {
		n++
		line := bytes.TrimSpace(sc.Bytes())
		if n == 1 {
			v, err := checkHeader(line)
			if err != nil {
				return &LineError{Line: n, Err: err}
			}
			version = v
			continue
		}
		if len(line) == 0 {
			continue
		}
		rec, err := parseLine(line, version)
		if err != nil {
			return &LineError{Line: n, Err: err}
		}
		if err := fn(rec); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return &LineError{Line: n + 1, Err: err}
	}
	if n == 0 {
		return errors.New("empty file: not a Stride export (its first line is {\"kind\":\"stride-export\",…})")
	}
	return nil
}

// checkHeader returns the version of the export whose first line is
// line: 1 (no ACME kinds) or 2.
func checkHeader(line []byte) (int, error) {
	var h headerLine
	if err := json.Unmarshal(line, &h); err != nil || h.Kind != ExportFormat {
		return 0, fmt.Errorf("not a Stride export: the first line must be {\"kind\":\"stride-export\",\"version\":%d}", ExportVersion)
	}
	if h.Version < 1 || h.Version > ExportVersion {
		return 0, fmt.Errorf("export version %d is not supported (this stride reads versions 1 to %d)", h.Version, ExportVersion)
	}
	return h.Version, nil
}

// strictUnmarshal decodes line into v, refusing unknown fields and
// trailing data.
func strictUnmarshal(line []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("more than one JSON value on the line")
	}
	return nil
}

// parseLine decodes and checks one record line of an export of version.
func parseLine(line []byte, version int) (any, error) {
	var k struct {
		Kind string `json:"kind"`
	}
	if err := json.Unmarshal(line, &k); err != nil {
		return nil, err
	}
	switch k.Kind {
	case KindACMEEABKey, KindACMEAccount, KindACMEOrder:
		if version < 2 {
			return nil, fmt.Errorf("kind %q is not in a version %d export (it came with version 2)", k.Kind, version)
		}
		return parseACMELine(k.Kind, line)
	case KindCertificate:
		return parseCertificate(line)
	case KindRevocation:
		return parseRevocation(line)
	case KindToken:
		var t tokenLine
		if err := strictUnmarshal(line, &t); err != nil {
			return nil, err
		}
		if t.ID == "" {
			return nil, errors.New("token: empty id")
		}
		return &storage.UsedToken{ID: t.ID, ExpiresAt: derefTime(t.ExpiresAt)}, nil
	}
	return nil, fmt.Errorf("unknown kind %q (want certificate, revocation, token, acmeEABKey, acmeAccount or acmeOrder)", k.Kind)
}

func parseACMELine(kind string, line []byte) (any, error) {
	switch kind {
	case KindACMEEABKey:
		return parseEABKey(line)
	case KindACMEAccount:
		return parseAccount(line)
	}
	return parseOrder(line)
}

func parseCertificate(line []byte) (any, error) {
	var c certificateLine
	if err := strictUnmarshal(line, &c); err != nil {
		return nil, err
	}
	if err := checkSerialText(c.Serial); err != nil {
		return nil, fmt.Errorf("certificate: %w", err)
	}
	if len(c.DER) == 0 {
		return nil, fmt.Errorf("certificate %s: no der", c.Serial)
	}
	return &storage.Certificate{Serial: c.Serial, DER: c.DER, Subject: c.Subject, SANs: c.SANs,
		NotBefore: c.NotBefore.UTC(), NotAfter: c.NotAfter.UTC(),
		Provisioner: storage.ProvisionerRef{ID: c.ProvisionerID, Name: c.ProvisionerName, Type: c.ProvisionerType},
		IssuedAt:    c.IssuedAt.UTC(), RenewedFrom: c.RenewedFrom}, nil
}

func parseRevocation(line []byte) (any, error) {
	var r revocationLine
	if err := strictUnmarshal(line, &r); err != nil {
		return nil, err
	}
	if err := checkSerialText(r.Serial); err != nil {
		return nil, fmt.Errorf("revocation: %w", err)
	}
	if r.ReasonCode < 0 || r.ReasonCode > 10 {
		return nil, fmt.Errorf("revocation %s: reasonCode %d is not 0..10", r.Serial, r.ReasonCode)
	}
	return &storage.Revocation{Serial: r.Serial, ReasonCode: r.ReasonCode, Reason: r.Reason,
		RevokedAt: r.RevokedAt.UTC(), ExpiresAt: derefTime(r.ExpiresAt), ProvisionerID: r.ProvisionerID,
		TokenID: r.TokenID, MTLS: r.MTLS, ACME: r.ACME}, nil
}

// checkSerialText accepts a non-empty decimal serial.
func checkSerialText(s string) error {
	if _, ok := new(big.Int).SetString(s, 10); !ok || s == "" || s[0] == '+' || s[0] == '-' {
		return fmt.Errorf("serial %q is not a decimal number", s)
	}
	return nil
}

func derefTime(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}
