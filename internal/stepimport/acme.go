package stepimport

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/stride-pki/stride/internal/jose"
	"github.com/stride-pki/stride/internal/storage"
)

// step-ca's ACME tables (stepca-compat §7).
const (
	bucketACMEAccounts = "acme_accounts"
	bucketACMEOrders   = "acme_orders"
	bucketACMECerts    = "acme_certs"
)

// ACMECounts is what the ACME part of an import did.
type ACMECounts struct {
	Accounts, AccountsPresent int
	// Orders counts the valid orders imported: they tie a certificate to
	// its account, so revoke-cert by that account and ARI keep working.
	Orders, OrdersPresent int
}

// stepAccount is step-ca's acme_accounts value.
type stepAccount struct {
	ID              string          `json:"id"`
	Key             json.RawMessage `json:"key"`
	Contact         []string        `json:"contact"`
	Status          string          `json:"status"`
	ProvisionerID   string          `json:"provisionerID"`
	ProvisionerName string          `json:"provisionerName"`
	CreatedAt       time.Time       `json:"createdAt"`
}

// stepOrder is step-ca's acme_orders value (the fields used).
type stepOrder struct {
	ID            string `json:"id"`
	AccountID     string `json:"accountID"`
	ProvisionerID string `json:"provisionerID"`
	Identifiers   []struct {
		Type  string `json:"type"`
		Value string `json:"value"`
	} `json:"identifiers"`
	Status      string    `json:"status"`
	NotBefore   time.Time `json:"notBefore"`
	NotAfter    time.Time `json:"notAfter"`
	CreatedAt   time.Time `json:"createdAt"`
	ExpiresAt   time.Time `json:"expiresAt"`
	Certificate string    `json:"certificate"`
}

// stepACMECert is step-ca's acme_certs value (the fields used).
type stepACMECert struct {
	Leaf []byte `json:"leaf"`
}

// ImportACME copies step-ca's ACME accounts, and the valid orders that tie
// its ACME certificates to those accounts, into dst. Accounts keep their
// IDs, so a client's account URL (…/acme/<provisioner>/account/<id>) still
// names its account when stride-ca serves the same host and provisioner.
// Pending orders, authorizations, challenges and nonces are not imported:
// they are short-lived, and clients start a new order.
func ImportACME(ctx context.Context, src Source, dst storage.ACME) (ACMECounts, error) {
	var c ACMECounts
	err := src.ForEach(bucketACMEAccounts, func(k, v []byte) error {
		acct, err := acmeAccount(string(k), v)
		if err != nil {
			return err
		}
		switch err := dst.CreateACMEAccount(ctx, acct); {
		case err == nil:
			c.Accounts++
		case errors.Is(err, storage.ErrConflict):
			c.AccountsPresent++
		default:
			return fmt.Errorf("ACME account %s: %w", acct.ID, err)
		}
		return ctx.Err()
	})
	if err != nil {
		return c, err
	}
	serials, err := acmeCertSerials(src)
	if err != nil {
		return c, err
	}
	err = src.ForEach(bucketACMEOrders, func(k, v []byte) error {
		order, ok, err := acmeOrder(string(k), v, serials)
		if err != nil || !ok {
			return err
		}
		switch err := dst.CreateACMEOrder(ctx, order, nil); {
		case err == nil:
			c.Orders++
		case errors.Is(err, storage.ErrConflict):
			c.OrdersPresent++
		default:
			return fmt.Errorf("ACME order %s: %w", order.ID, err)
		}
		return ctx.Err()
	})
	return c, err
}

// acmeAccount turns an acme_accounts row into a storage.ACMEAccount; the
// key's thumbprint is recomputed rather than read from step's index.
func acmeAccount(id string, v []byte) (*storage.ACMEAccount, error) {
	var a stepAccount
	if err := json.Unmarshal(v, &a); err != nil {
		return nil, fmt.Errorf("%s %s: %w", bucketACMEAccounts, id, err)
	}
	if a.ID == "" {
		a.ID = id
	}
	jwk, err := jose.ParseJWK(a.Key)
	if err != nil {
		return nil, fmt.Errorf("%s %s: the account key: %w", bucketACMEAccounts, id, err)
	}
	thumb, err := jose.Thumbprint(jwk)
	if err != nil {
		return nil, fmt.Errorf("%s %s: the account key: %w", bucketACMEAccounts, id, err)
	}
	prov := acmeProvisionerName(a.ProvisionerName, a.ProvisionerID)
	if prov == "" {
		return nil, fmt.Errorf("%s %s: the account names no provisioner", bucketACMEAccounts, id)
	}
	status := a.Status
	if status == "" {
		status = "valid"
	}
	return &storage.ACMEAccount{
		ID: a.ID, Provisioner: prov, KeyID: thumb, Key: []byte(a.Key), Contact: a.Contact,
		Status: status, CreatedAt: a.CreatedAt.UTC(),
	}, nil
}

// acmeProvisionerName prefers the stored name; older step-ca versions
// stored only the ID, which for ACME provisioners is "acme/<name>".
func acmeProvisionerName(name, id string) string {
	if name != "" {
		return name
	}
	if i := strings.IndexByte(id, '/'); i >= 0 {
		return id[i+1:]
	}
	return id
}

// acmeCertSerials maps step's ACME certificate IDs to the leaf's serial.
func acmeCertSerials(src Source) (map[string]string, error) {
	out := map[string]string{}
	err := src.ForEach(bucketACMECerts, func(k, v []byte) error {
		var c stepACMECert
		if err := json.Unmarshal(v, &c); err != nil {
			return fmt.Errorf("%s %s: %w", bucketACMECerts, k, err)
		}
		if x, err := x509.ParseCertificate(c.Leaf); err == nil {
			out[string(k)] = x.SerialNumber.String()
		}
		return nil
	})
	return out, err
}

// acmeOrder turns a valid acme_orders row whose certificate is known into
// a storage.ACMEOrder without authorizations; ok is false for other rows.
func acmeOrder(id string, v []byte, serials map[string]string) (*storage.ACMEOrder, bool, error) {
	var o stepOrder
	if err := json.Unmarshal(v, &o); err != nil {
		return nil, false, fmt.Errorf("%s %s: %w", bucketACMEOrders, id, err)
	}
	serial := serials[o.Certificate]
	if o.Status != "valid" || serial == "" {
		return nil, false, nil
	}
	if o.ID == "" {
		o.ID = id
	}
	order := &storage.ACMEOrder{
		ID: o.ID, AccountID: o.AccountID, Provisioner: acmeProvisionerName("", o.ProvisionerID),
		Status: "valid", NotBefore: o.NotBefore.UTC(), NotAfter: o.NotAfter.UTC(),
		CreatedAt: o.CreatedAt.UTC(), ExpiresAt: o.ExpiresAt.UTC(), CertificateSerial: serial,
	}
	for _, ident := range o.Identifiers {
		order.Identifiers = append(order.Identifiers, storage.ACMEIdentifier{Type: ident.Type, Value: ident.Value})
	}
	return order, true, nil
}
