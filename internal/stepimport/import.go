// Package stepimport imports an existing step-ca database into a Stride
// store, so that a step-ca deployment can switch to stride-ca and keep its
// history: the certificates step-ca issued (renewals of them keep working
// and are recorded as renewals), its revocations (a revoked certificate
// stays refused) and its used one-time tokens.
//
// It reads step-ca's key-value layout (docs: stepca-compat §7): the tables
// x509_certs (decimal serial → DER), x509_certs_data (serial → {"provisioner":
// {"id","name","type"}}), revoked_x509_certs (serial → JSON with Go field
// names) and used_ott (token ID → token), from a bbolt file or a Badger v2
// directory, opened read-only, and the ACME accounts (acme.go). Everything
// else (SSH, pending ACME orders, admins, CRL) is not imported.
//
// Importing is idempotent: a certificate, revocation or token the store
// has already counts as already present, so an interrupted import can be
// run again.
package stepimport

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/stride-pki/stride/internal/config"
	"github.com/stride-pki/stride/internal/storage"
	"github.com/stride-pki/stride/internal/storage/open"
)

// step-ca's table names.
const (
	bucketCerts     = "x509_certs"
	bucketCertsData = "x509_certs_data"
	bucketRevoked   = "revoked_x509_certs"
	bucketUsedOTT   = "used_ott"
)

// Counts is what an import did. The *Present fields count records the
// store had already (an earlier import of the same database).
type Counts struct {
	Certificates, CertificatesPresent int
	Revocations, RevocationsPresent   int
	Tokens, TokensPresent             int
	ACME                              ACMECounts
	// Skipped lists the serials of x509_certs rows whose value is not a
	// certificate (nothing is stored for them).
	Skipped []string
}

// Total is how many records were read.
func (c Counts) Total() int {
	return c.Certificates + c.CertificatesPresent + c.Revocations + c.RevocationsPresent +
		c.Tokens + c.TokensPresent + len(c.Skipped) +
		c.ACME.Accounts + c.ACME.AccountsPresent + c.ACME.Orders + c.ACME.OrdersPresent
}

// certData is step-ca's x509_certs_data value (the fields used).
type certData struct {
	Provisioner *struct {
		ID   string `json:"id"`
		Name string `json:"name"`
		Type string `json:"type"`
	} `json:"provisioner"`
}

// stepRevocation is step-ca's revoked_x509_certs value: Go field names, no
// JSON tags.
type stepRevocation struct {
	Serial        string
	ProvisionerID string
	ReasonCode    int
	Reason        string
	RevokedAt     time.Time
	ExpiresAt     time.Time
	TokenID       string
	MTLS          bool
	ACME          bool
}

// Import copies src's certificates, revocations, used tokens and ACME
// accounts (with the valid orders that tie certificates to them) into dst.
// progress, when not nil, is called after each record with the number of
// records read so far.
func Import(ctx context.Context, src Source, dst storage.Store, progress func(n int)) (Counts, error) {
	im := &importer{ctx: ctx, src: src, dst: dst, progress: progress}
	for _, step := range []func() error{im.certificates, im.revocations, im.tokens} {
		if err := step(); err != nil {
			return im.c, err
		}
	}
	var err error
	im.c.ACME, err = ImportACME(ctx, src, dst)
	return im.c, err
}

// importer is one run of Import: the tables are copied one after another,
// counting as they go.
type importer struct {
	ctx      context.Context
	src      Source
	dst      storage.Store
	progress func(n int)
	c        Counts
}

// step reports progress after a record and stops the walk when ctx is done.
func (im *importer) step() error {
	if im.progress != nil {
		im.progress(im.c.Total())
	}
	return im.ctx.Err()
}

// provisioners reads x509_certs_data: serial → the provisioner that issued it.
func (im *importer) provisioners() (map[string]storage.ProvisionerRef, error) {
	provs := map[string]storage.ProvisionerRef{}
	err := im.src.ForEach(bucketCertsData, func(k, v []byte) error {
		var d certData
		if err := json.Unmarshal(v, &d); err != nil {
			return fmt.Errorf("%s %s: %w", bucketCertsData, k, err)
		}
		if d.Provisioner != nil {
			provs[string(k)] = storage.ProvisionerRef{ID: d.Provisioner.ID, Name: d.Provisioner.Name, Type: d.Provisioner.Type}
		}
		return nil
	})
	return provs, err
}

func (im *importer) certificates() error {
	provs, err := im.provisioners()
	if err != nil {
		return err
	}
	return im.src.ForEach(bucketCerts, func(k, v []byte) error {
		cert, err := certificate(string(k), v, provs)
		if err != nil {
			im.c.Skipped = append(im.c.Skipped, string(k))
			return im.step()
		}
		switch err := im.dst.RecordIssuance(im.ctx, cert, nil); {
		case err == nil:
			im.c.Certificates++
		case errors.Is(err, storage.ErrConflict):
			im.c.CertificatesPresent++
		default:
			return fmt.Errorf("certificate %s: %w", cert.Serial, err)
		}
		return im.step()
	})
}

func (im *importer) revocations() error {
	return im.src.ForEach(bucketRevoked, func(k, v []byte) error {
		rev, err := revocation(string(k), v)
		if err != nil {
			return err
		}
		switch err := im.dst.Revoke(im.ctx, rev, nil); {
		case err == nil:
			im.c.Revocations++
		case errors.Is(err, storage.ErrAlreadyRevoked):
			im.c.RevocationsPresent++
		default:
			return fmt.Errorf("revocation of %s: %w", rev.Serial, err)
		}
		return im.step()
	})
}

func (im *importer) tokens() error {
	return im.src.ForEach(bucketUsedOTT, func(k, _ []byte) error {
		if len(k) == 0 {
			return nil
		}
		// The expiry is not known from the key: zero, never purged.
		switch err := im.dst.UseToken(im.ctx, storage.UsedToken{ID: string(k)}); {
		case err == nil:
			im.c.Tokens++
		case errors.Is(err, storage.ErrTokenUsed):
			im.c.TokensPresent++
		default:
			return fmt.Errorf("used token: %w", err)
		}
		return im.step()
	})
}

// certificate turns an x509_certs row into a storage.Certificate. The
// issuance time is not in step's database: the certificate's NotBefore
// stands in for it.
func certificate(serial string, der []byte, provs map[string]storage.ProvisionerRef) (storage.Certificate, error) {
	x, err := x509.ParseCertificate(der)
	if err != nil {
		return storage.Certificate{}, err
	}
	if serial == "" {
		serial = x.SerialNumber.String()
	}
	return storage.Certificate{
		Serial: x.SerialNumber.String(), DER: der, Subject: x.Subject.CommonName, SANs: sans(x),
		NotBefore: x.NotBefore.UTC(), NotAfter: x.NotAfter.UTC(), IssuedAt: x.NotBefore.UTC(),
		Provisioner: provs[serial],
	}, nil
}

// revocation turns a revoked_x509_certs row into a storage.Revocation; the
// key is the serial when the value names none.
func revocation(serial string, v []byte) (storage.Revocation, error) {
	var r stepRevocation
	if err := json.Unmarshal(v, &r); err != nil {
		return storage.Revocation{}, fmt.Errorf("%s %s: %w", bucketRevoked, serial, err)
	}
	if r.Serial == "" {
		r.Serial = serial
	}
	if r.Serial == "" {
		return storage.Revocation{}, fmt.Errorf("%s: a row without a serial", bucketRevoked)
	}
	return storage.Revocation{
		Serial: r.Serial, ReasonCode: r.ReasonCode, Reason: r.Reason,
		RevokedAt: r.RevokedAt.UTC(), ExpiresAt: r.ExpiresAt.UTC(),
		ProvisionerID: r.ProvisionerID, TokenID: r.TokenID, MTLS: r.MTLS, ACME: r.ACME,
	}, nil
}

// sans lists a certificate's SANs as strings, in the order stride-ca
// records them: DNS names, IPs, emails, URIs.
func sans(c *x509.Certificate) []string {
	out := append([]string{}, c.DNSNames...)
	for _, ip := range c.IPAddresses {
		out = append(out, ip.String())
	}
	out = append(out, c.EmailAddresses...)
	for _, u := range c.URIs {
		out = append(out, u.String())
	}
	return out
}

// ToConfig imports src into the store that cfg's "db" names (a relative
// path taken from base, as stride-ca does). An embedded target database
// held by a running stride-ca is refused with an error wrapping
// storage.ErrLocked.
func ToConfig(ctx context.Context, src Source, cfg *config.CAConfig, base string, progress func(n int)) (Counts, error) {
	dst, err := open.FromConfig(cfg, base)
	if err != nil {
		if errors.Is(err, storage.ErrLocked) {
			return Counts{}, fmt.Errorf("%w (stop stride-ca before importing into its database)", err)
		}
		return Counts{}, err
	}
	c, err := Import(ctx, src, dst, progress)
	if cerr := dst.Close(); err == nil && cerr != nil {
		err = cerr
	}
	return c, err
}

// SameFile reports whether the step-ca source path and the target's db
// path are one file (importing a database into itself is refused).
func SameFile(srcPath string, cfg *config.CAConfig, base string) bool {
	if cfg.DB == nil || cfg.DB.DataSource == "" {
		return false
	}
	dst := cfg.DB.DataSource
	if !filepath.IsAbs(dst) {
		dst = filepath.Join(base, dst)
	}
	a, err1 := filepath.Abs(srcPath)
	b, err2 := filepath.Abs(dst)
	return err1 == nil && err2 == nil && a == b
}
