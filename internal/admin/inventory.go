package admin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"
	"time"

	"github.com/stride-pki/stride/internal/caerr"
	"github.com/stride-pki/stride/internal/config"
	"github.com/stride-pki/stride/internal/storage"
	"github.com/stride-pki/stride/internal/storage/open"
)

// CertificateStore is what the inventory reads.
type CertificateStore interface {
	ListCertificates(ctx context.Context, f storage.CertificateFilter, cursor string, limit int) ([]storage.CertificateRow, string, error)
	Certificate(ctx context.Context, serial string) (*storage.Certificate, error)
	Revocation(ctx context.Context, serial string) (*storage.Revocation, error)
}

// Inventory answers "what has this CA issued": filtered listings and one
// certificate by serial. Safe for concurrent use.
type Inventory struct {
	store CertificateStore
	now   func() time.Time
}

// NewInventory returns an inventory over store; now is the clock that
// "expiring within" and relative "issued after" count from.
func NewInventory(store CertificateStore, now func() time.Time) *Inventory {
	return &Inventory{store: store, now: now}
}

// OpenInventory opens the store cfg names (base resolves a relative
// embedded-database path) for an offline command; close the returned
// io.Closer when done. An embedded database (bbolt, Badger) cannot be
// opened while a stride-ca holds it: the error wraps storage.ErrLocked.
func OpenInventory(cfg *config.CAConfig, base string, now func() time.Time) (*Inventory, io.Closer, error) {
	store, err := open.FromConfig(cfg, base)
	if err != nil {
		if errors.Is(err, storage.ErrLocked) {
			return nil, nil, fmt.Errorf("%w (stop stride-ca, or use a PostgreSQL or MySQL database, to read it while it serves)", err)
		}
		return nil, nil, err
	}
	return NewInventory(store, now), store, nil
}

// Status is a certificate's state at the time of the query.
type Status string

const (
	StatusValid   Status = "valid"
	StatusExpired Status = "expired"
	StatusRevoked Status = "revoked" // revoked wins over expired
)

// CertificateInfo is one certificate as every front end shows it; the
// JSON names are the inventory's output format.
type CertificateInfo struct {
	Serial           string     `json:"serial"` // decimal
	Subject          string     `json:"subject"`
	SANs             []string   `json:"sans"` // never null
	NotBefore        time.Time  `json:"notBefore"`
	NotAfter         time.Time  `json:"notAfter"`
	IssuedAt         time.Time  `json:"issuedAt"`
	Provisioner      string     `json:"provisioner"` // name
	ProvisionerType  string     `json:"provisionerType"`
	RenewedFrom      string     `json:"renewedFrom,omitempty"` // serial it renews or rekeys
	Status           Status     `json:"status"`
	RevokedAt        *time.Time `json:"revokedAt"` // null unless revoked
	RevocationReason string     `json:"revocationReason,omitempty"`
	ReasonCode       *int       `json:"revocationReasonCode,omitempty"`
	DER              []byte     `json:"-"`
}

// Page is one page of a listing; Next, when not empty, is the cursor of
// the next page.
type Page struct {
	Certificates []CertificateInfo
	Next         string
}

// List returns the certificates q selects, ordered by serial (as bytes).
func (inv *Inventory) List(ctx context.Context, q Query) (*Page, error) {
	f, err := q.filter(inv.now())
	if err != nil {
		return nil, err
	}
	rows, next, err := inv.store.ListCertificates(ctx, f, q.Cursor, q.Limit)
	if err != nil {
		return nil, caerr.Wrap(caerr.Internal, err, "listing certificates failed")
	}
	now := inv.now()
	page := &Page{Certificates: make([]CertificateInfo, len(rows)), Next: next}
	for i := range rows {
		page.Certificates[i] = info(&rows[i].Certificate, rows[i].Revocation, now)
	}
	return page, nil
}

// Show returns the certificate with serial (decimal, or hex with 0x).
func (inv *Inventory) Show(ctx context.Context, serial string) (*CertificateInfo, error) {
	dec, err := ParseSerial(serial)
	if err != nil {
		return nil, err
	}
	cert, err := inv.store.Certificate(ctx, dec)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, caerr.NotFoundf("no certificate with serial %s", dec)
	}
	if err != nil {
		return nil, caerr.Wrap(caerr.Internal, err, "reading certificate %s failed", dec)
	}
	rev, err := inv.store.Revocation(ctx, dec)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		rev = nil
	case err != nil:
		return nil, caerr.Wrap(caerr.Internal, err, "reading the revocation of %s failed", dec)
	}
	ci := info(cert, rev, inv.now())
	return &ci, nil
}

// ParseSerial returns serial in decimal: it takes decimal, or hexadecimal
// with a 0x prefix (colons allowed, as openssl prints serials).
func ParseSerial(serial string) (string, error) {
	s, base := strings.TrimSpace(serial), 10
	if h, ok := strings.CutPrefix(strings.ToLower(s), "0x"); ok {
		s, base = strings.ReplaceAll(h, ":", ""), 16
	}
	n, ok := new(big.Int).SetString(s, base)
	if !ok || n.Sign() < 0 || s == "" {
		return "", caerr.BadRequestf("serial %q: want a decimal number or 0x-prefixed hex", serial)
	}
	return n.String(), nil
}

// info is the front ends' view of cert and its revocation at now.
func info(c *storage.Certificate, rev *storage.Revocation, now time.Time) CertificateInfo {
	ci := CertificateInfo{
		Serial: c.Serial, Subject: c.Subject, SANs: c.SANs, NotBefore: c.NotBefore, NotAfter: c.NotAfter,
		IssuedAt: c.IssuedAt, Provisioner: c.Provisioner.Name, ProvisionerType: c.Provisioner.Type,
		RenewedFrom: c.RenewedFrom, Status: StatusValid, DER: c.DER,
	}
	if ci.SANs == nil {
		ci.SANs = []string{}
	}
	if !now.Before(c.NotAfter) {
		ci.Status = StatusExpired
	}
	if rev != nil {
		at, code := rev.RevokedAt, rev.ReasonCode
		ci.Status, ci.RevokedAt, ci.RevocationReason, ci.ReasonCode = StatusRevoked, &at, rev.Reason, &code
	}
	return ci
}
