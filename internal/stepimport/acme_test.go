package stepimport

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stride-pki/stride/internal/jose"
	"github.com/stride-pki/stride/internal/storage"
	stridebolt "github.com/stride-pki/stride/internal/storage/bolt"
)

// acmeFixture is step-ca's ACME tables as step-ca v0.30 writes them: one
// account (and one of an older version that stored only the provisioner
// ID), a valid order whose certificate is in acme_certs, and a pending one.
func acmeFixture(t *testing.T) (fixture, string) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	jwk := &jose.JSONWebKey{Key: key.Public()}
	keyJSON, err := json.Marshal(jwk)
	if err != nil {
		t.Fatal(err)
	}
	thumb, err := jose.Thumbprint(jwk)
	if err != nil {
		t.Fatal(err)
	}
	leaf := newCert(t, 2001, "acme.example.com")
	certJSON, _ := json.Marshal(map[string]any{"id": "cert1", "accountID": "acct1", "orderID": "ord1", "leaf": leaf})
	f := fixture{
		bucketCerts: {"2001": leaf},
		bucketACMEAccounts: {
			"acct1": []byte(`{"id":"acct1","key":` + string(keyJSON) + `,"contact":["mailto:a@example.com"],"status":"valid",` +
				`"locationPrefix":"https://ca.example:9000/acme/acme/account/","provisionerID":"acme/acme","provisionerName":"acme",` +
				`"createdAt":"2026-01-02T03:04:05Z","deactivatedAt":"0001-01-01T00:00:00Z"}`),
			"acct0": []byte(`{"id":"acct0","key":` + otherKey(t) + `,"contact":null,"status":"deactivated","provisionerID":"acme/old",` +
				`"createdAt":"2025-01-02T03:04:05Z"}`),
		},
		bucketACMEOrders: {
			"ord1": []byte(`{"id":"ord1","accountID":"acct1","provisionerID":"acme/acme","identifiers":[{"type":"dns","value":"acme.example.com"}],` +
				`"authorizationIDs":["az1"],"status":"valid","notBefore":"2026-01-02T03:04:05Z","notAfter":"2026-01-03T03:04:05Z",` +
				`"createdAt":"2026-01-02T03:04:05Z","expiresAt":"2026-01-03T03:04:05Z","certificate":"cert1"}`),
			"ord2": []byte(`{"id":"ord2","accountID":"acct1","provisionerID":"acme/acme","identifiers":[{"type":"dns","value":"b.example.com"}],` +
				`"status":"pending","createdAt":"2026-01-02T03:04:05Z","expiresAt":"2026-01-03T03:04:05Z"}`),
		},
		bucketACMECerts: {"cert1": certJSON},
	}
	return f, thumb
}

func otherKey(t *testing.T) string {
	key, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(&jose.JSONWebKey{Key: key.Public()})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestImportACME(t *testing.T) {
	f, thumb := acmeFixture(t)
	for name, path := range map[string]func(*testing.T, fixture) string{"bbolt": writeBolt, "badgerv2": writeBadger} {
		t.Run(name, func(t *testing.T) {
			typ := TypeBolt
			if name == "badgerv2" {
				typ = TypeBadgerV2
			}
			src, err := Open(typ, path(t, f), "")
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			dst, err := stridebolt.Open(filepath.Join(t.TempDir(), "stride.db"), stridebolt.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer dst.Close()
			ctx := context.Background()
			c, err := Import(ctx, src, dst, nil)
			if err != nil {
				t.Fatal(err)
			}
			if c.ACME != (ACMECounts{Accounts: 2, Orders: 1}) || c.Certificates != 1 {
				t.Fatalf("counts %+v", c)
			}
			acct, err := dst.ACMEAccountByKey(ctx, "acme", thumb)
			if err != nil {
				t.Fatalf("the account by its key thumbprint: %v", err)
			}
			if acct.ID != "acct1" || acct.Status != "valid" || len(acct.Contact) != 1 || acct.Contact[0] != "mailto:a@example.com" ||
				acct.CreatedAt.Format("2006-01-02T15:04:05Z") != "2026-01-02T03:04:05Z" {
				t.Errorf("imported account: %+v", acct)
			}
			old, err := dst.ACMEAccount(ctx, "acct0")
			if err != nil || old.Provisioner != "old" || old.Status != "deactivated" {
				t.Errorf("account with only a provisioner ID: %+v, %v", old, err)
			}
			order, err := dst.ACMEOrderByCertificate(ctx, "2001")
			if err != nil || order.ID != "ord1" || order.AccountID != "acct1" || order.Status != "valid" {
				t.Errorf("the valid order by its certificate: %+v, %v", order, err)
			}
			if _, err := dst.ACMEOrder(ctx, "ord2"); !errors.Is(err, storage.ErrNotFound) {
				t.Errorf("a pending order was imported: %v", err)
			}
			c, err = Import(ctx, src, dst, nil)
			if err != nil || c.ACME != (ACMECounts{AccountsPresent: 2, OrdersPresent: 1}) {
				t.Errorf("second import: %+v, %v", c.ACME, err)
			}
		})
	}
}

func TestImportACMEBadAccount(t *testing.T) {
	for name, row := range map[string]string{
		"not JSON":       `{`,
		"no key":         `{"id":"x","provisionerName":"acme"}`,
		"no provisioner": `{"id":"x","key":` + otherKey(t) + `}`,
	} {
		t.Run(name, func(t *testing.T) {
			src, err := Open(TypeBolt, writeBolt(t, fixture{bucketACMEAccounts: {"x": []byte(row)}}), "")
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			dst, err := stridebolt.Open(filepath.Join(t.TempDir(), "stride.db"), stridebolt.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer dst.Close()
			_, err = Import(context.Background(), src, dst, nil)
			if err == nil || !strings.Contains(err.Error(), "acme_accounts x") {
				t.Fatalf("error %v, want one naming the row", err)
			}
			if _, err := dst.ACMEAccount(context.Background(), "x"); !errors.Is(err, storage.ErrNotFound) {
				t.Errorf("the bad account was stored: %v", err)
			}
		})
	}
}
