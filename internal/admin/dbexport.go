package admin

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/stride-pki/stride/internal/storage"
)

// The export format (`stride ca db export`) is JSON lines: a header line
// {"kind":"stride-export","version":2}, then one object per record, its
// "kind" first: "certificate", "revocation", "token", "acmeEABKey",
// "acmeAccount" or "acmeOrder". Certificates come first, then every
// revocation (also those of serials that are not stored certificates),
// then every used token, then the ACME state in the order an import
// creates it: every EAB key (bound ones with their account and time),
// every account, every order with its authorizations and their challenges
// inline (see dbacme.go). Times are RFC 3339 in UTC, a zero (unknown) time
// is omitted, DER and other bytes are base64.
//
// Version 2 added the ACME kinds; version 1 files (no ACME kinds) still
// import. The version was bumped, not kept, so that an older stride
// refuses a file with ACME state instead of failing on its first ACME
// line (or, worse, a reader skipping unknown kinds losing the accounts).
const (
	ExportFormat  = "stride-export"
	ExportVersion = 2

	KindCertificate = "certificate"
	KindRevocation  = "revocation"
	KindToken       = "token"
	KindACMEEABKey  = "acmeEABKey"
	KindACMEAccount = "acmeAccount"
	KindACMEOrder   = "acmeOrder"
)

// exportPage is how many rows one listing call returns.
const exportPage = 500

type headerLine struct {
	Kind    string `json:"kind"`
	Version int    `json:"version"`
}

type certificateLine struct {
	Kind            string    `json:"kind"`
	Serial          string    `json:"serial"`
	DER             []byte    `json:"der"`
	Subject         string    `json:"subject,omitempty"`
	SANs            []string  `json:"sans,omitempty"`
	NotBefore       time.Time `json:"notBefore"`
	NotAfter        time.Time `json:"notAfter"`
	ProvisionerID   string    `json:"provisionerId,omitempty"`
	ProvisionerName string    `json:"provisionerName,omitempty"`
	ProvisionerType string    `json:"provisionerType,omitempty"`
	IssuedAt        time.Time `json:"issuedAt"`
	RenewedFrom     string    `json:"renewedFrom,omitempty"`
}

type revocationLine struct {
	Kind          string     `json:"kind"`
	Serial        string     `json:"serial"`
	ReasonCode    int        `json:"reasonCode"`
	Reason        string     `json:"reason,omitempty"`
	RevokedAt     time.Time  `json:"revokedAt"`
	ExpiresAt     *time.Time `json:"expiresAt,omitempty"`
	ProvisionerID string     `json:"provisionerId,omitempty"`
	TokenID       string     `json:"tokenId,omitempty"`
	MTLS          bool       `json:"mtls,omitempty"`
	ACME          bool       `json:"acme,omitempty"`
}

type tokenLine struct {
	Kind      string     `json:"kind"`
	ID        string     `json:"id"`
	ExpiresAt *time.Time `json:"expiresAt,omitempty"`
}

// RecordCounts counts records of each kind. ACMEAuthzs counts the
// authorizations inside ACMEOrders' records.
type RecordCounts struct {
	Certificates int `json:"certificates"`
	Revocations  int `json:"revocations"`
	Tokens       int `json:"tokens"`
	ACMEEABKeys  int `json:"acmeEabKeys"`
	ACMEAccounts int `json:"acmeAccounts"`
	ACMEOrders   int `json:"acmeOrders"`
	ACMEAuthzs   int `json:"acmeAuthorizations"`
}

// Total is the number of records (export lines) of every kind: an order
// and its authorizations are one.
func (c RecordCounts) Total() int {
	return c.Certificates + c.Revocations + c.Tokens + c.ACMEEABKeys + c.ACMEAccounts + c.ACMEOrders
}

func (c RecordCounts) String() string {
	return fmt.Sprintf("%d certificates, %d revocations, %d tokens, %d ACME EAB keys, %d ACME accounts, "+
		"%d ACME orders (%d authorizations)", c.Certificates, c.Revocations, c.Tokens,
		c.ACMEEABKeys, c.ACMEAccounts, c.ACMEOrders, c.ACMEAuthzs)
}

// plus is c and d added kind by kind.
func (c RecordCounts) plus(d RecordCounts) RecordCounts {
	return RecordCounts{Certificates: c.Certificates + d.Certificates, Revocations: c.Revocations + d.Revocations,
		Tokens: c.Tokens + d.Tokens, ACMEEABKeys: c.ACMEEABKeys + d.ACMEEABKeys,
		ACMEAccounts: c.ACMEAccounts + d.ACMEAccounts, ACMEOrders: c.ACMEOrders + d.ACMEOrders,
		ACMEAuthzs: c.ACMEAuthzs + d.ACMEAuthzs}
}

// optTime is t, or nil for the zero time.
func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// walkRecords calls fn with every record of store, kind by kind, one page
// at a time (streaming: memory does not grow with the store).
func walkRecords(ctx context.Context, store storage.Store, fn func(rec any) error) error {
	err := walkPages(func(cursor string) ([]storage.CertificateRow, string, error) {
		return store.ListCertificates(ctx, storage.CertificateFilter{}, cursor, exportPage)
	}, func(r *storage.CertificateRow) error { return fn(&r.Certificate) })
	if err != nil {
		return err
	}
	err = walkPages(func(cursor string) ([]storage.Revocation, string, error) {
		return store.ListRevocations(ctx, cursor, exportPage)
	}, func(r *storage.Revocation) error { return fn(r) })
	if err != nil {
		return err
	}
	err = walkPages(func(cursor string) ([]storage.UsedToken, string, error) {
		return store.ListTokens(ctx, cursor, exportPage)
	}, func(r *storage.UsedToken) error { return fn(r) })
	if err != nil {
		return err
	}
	return walkACME(ctx, store, fn)
}

// walkPages calls fn with every row that list returns, page after page,
// from the empty cursor until list says no more rows follow.
func walkPages[T any](list func(cursor string) ([]T, string, error), fn func(*T) error) error {
	for cursor := ""; ; {
		rows, next, err := list(cursor)
		if err != nil {
			return err
		}
		for i := range rows {
			if err := fn(&rows[i]); err != nil {
				return err
			}
		}
		if cursor = next; next == "" {
			return nil
		}
	}
}

// countRecords counts store's records of each kind.
func countRecords(ctx context.Context, store storage.Store) (RecordCounts, error) {
	var c RecordCounts
	err := walkRecords(ctx, store, func(rec any) error {
		c.add(rec)
		return nil
	})
	return c, err
}

func (c *RecordCounts) add(rec any) {
	switch r := rec.(type) {
	case *storage.Certificate:
		c.Certificates++
	case *storage.Revocation:
		c.Revocations++
	case *storage.UsedToken:
		c.Tokens++
	case *storage.ACMEEABKey:
		c.ACMEEABKeys++
	case *storage.ACMEAccount:
		c.ACMEAccounts++
	case *acmeOrder:
		c.ACMEOrders++
		c.ACMEAuthzs += len(r.Authzs)
	}
}

// toLine is rec in the export format.
func toLine(rec any) any {
	switch r := rec.(type) {
	case *storage.Certificate:
		return certificateLine{Kind: KindCertificate, Serial: r.Serial, DER: r.DER, Subject: r.Subject,
			SANs: r.SANs, NotBefore: r.NotBefore.UTC(), NotAfter: r.NotAfter.UTC(),
			ProvisionerID: r.Provisioner.ID, ProvisionerName: r.Provisioner.Name,
			ProvisionerType: r.Provisioner.Type, IssuedAt: r.IssuedAt.UTC(), RenewedFrom: r.RenewedFrom}
	case *storage.Revocation:
		return revocationLine{Kind: KindRevocation, Serial: r.Serial, ReasonCode: r.ReasonCode,
			Reason: r.Reason, RevokedAt: r.RevokedAt.UTC(), ExpiresAt: optTime(r.ExpiresAt),
			ProvisionerID: r.ProvisionerID, TokenID: r.TokenID, MTLS: r.MTLS, ACME: r.ACME}
	case *storage.UsedToken:
		return tokenLine{Kind: KindToken, ID: r.ID, ExpiresAt: optTime(r.ExpiresAt)}
	}
	if l := acmeToLine(rec); l != nil {
		return l
	}
	panic(fmt.Sprintf("admin: unknown record %T", rec))
}

// Export writes every record of store to w in the export format and
// returns how many of each kind it wrote. It reads page by page, so a
// store written to meanwhile (PostgreSQL, MySQL) may export rows added
// during the run; an embedded store cannot be open in a running CA.
func Export(ctx context.Context, store storage.Store, w io.Writer) (RecordCounts, error) {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	var c RecordCounts
	if err := enc.Encode(headerLine{Kind: ExportFormat, Version: ExportVersion}); err != nil {
		return c, err
	}
	err := walkRecords(ctx, store, func(rec any) error {
		c.add(rec)
		return enc.Encode(toLine(rec))
	})
	if err != nil {
		return c, fmt.Errorf("export: %w", err)
	}
	return c, bw.Flush()
}
