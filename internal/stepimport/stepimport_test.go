package stepimport

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net"
	"path/filepath"
	"testing"
	"time"

	badgerv2 "github.com/dgraph-io/badger/v2"
	bolt "go.etcd.io/bbolt"

	"github.com/stride-pki/stride/internal/storage"
	stridebolt "github.com/stride-pki/stride/internal/storage/bolt"
)

func TestBadgerKey(t *testing.T) {
	got := badgerKey([]byte("x509_certs"), []byte("123"))
	want := append([]byte{10, 0}, "x509_certs"...)
	want = append(append(want, 3, 0), "123"...)
	if !bytes.Equal(got, want) {
		t.Fatalf("badgerKey = %x, want %x", got, want)
	}
	b, k, err := splitKey(got)
	if err != nil || b != "x509_certs" || string(k) != "123" {
		t.Fatalf("splitKey = %q %q %v", b, k, err)
	}
	long := bytes.Repeat([]byte("k"), 300) // the length is two bytes, little-endian
	if b, k, err := splitKey(badgerKey([]byte("used_ott"), long)); err != nil || b != "used_ott" || !bytes.Equal(k, long) {
		t.Fatalf("300-byte key: %q %d %v", b, len(k), err)
	}
	if got := badgerKey([]byte("b"), long)[3:5]; !bytes.Equal(got, []byte{0x2c, 0x01}) {
		t.Fatalf("length of a 300-byte key = %x, want 2c01", got)
	}
	if b, k, err := splitKey(bucketPrefix("nonces")); err != nil || b != "nonces" || k != nil {
		t.Fatalf("table marker: %q %v %v", b, k, err)
	}
	if !bytes.HasPrefix(badgerKey([]byte("x509_certs"), []byte("1")), bucketPrefix("x509_certs")) ||
		bytes.HasPrefix(badgerKey([]byte("x509_certs_data"), []byte("1")), bucketPrefix("x509_certs")) {
		t.Fatal("bucketPrefix must match its own table only")
	}
	for _, bad := range [][]byte{nil, {5}, {5, 0, 'a'}, append(append([]byte{1, 0}, 'a'), 9), append([]byte{1, 0, 'a', 3, 0}, "ab"...), append([]byte{1, 0, 'a', 1, 0}, "ab"...)} {
		if _, _, err := splitKey(bad); err == nil {
			t.Errorf("splitKey(%x) accepted", bad)
		}
	}
}

// fixture is a step-ca database's rows, by table.
type fixture map[string]map[string][]byte

func newCert(t *testing.T, serial int64, cn string) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn},
		DNSNames: []string{cn}, IPAddresses: []net.IP{net.ParseIP("10.0.0.1")}, EmailAddresses: []string{"a@example.com"},
		NotBefore: time.Now().Add(-time.Hour).Truncate(time.Second), NotAfter: time.Now().Add(24 * time.Hour).Truncate(time.Second)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func stepFixture(t *testing.T) fixture {
	revokedAt := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return fixture{
		bucketCerts: {
			"1001": newCert(t, 1001, "good.example.com"),
			"1002": newCert(t, 1002, "bad.example.com"),
			"1003": []byte("not a certificate"),
		},
		bucketCertsData: {
			"1001": []byte(`{"provisioner":{"id":"admin@example.com:kid1","name":"admin@example.com","type":"JWK"}}`),
		},
		bucketRevoked: {
			"1002": []byte(`{"Serial":"1002","ProvisionerID":"","ReasonCode":1,"Reason":"lost","RevokedAt":"` +
				revokedAt.Format(time.RFC3339Nano) + `","ExpiresAt":"2026-02-01T00:00:00Z","TokenID":"","MTLS":true,"ACME":false}`),
		},
		bucketUsedOTT: {"jti-1": []byte("eyJ..."), "jti-2": []byte("eyJ...")},
	}
}

func writeBolt(t *testing.T, f fixture) string {
	path := filepath.Join(t.TempDir(), "step.db")
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for bucket, rows := range f {
			b, err := tx.CreateBucket([]byte(bucket))
			if err != nil {
				return err
			}
			for k, v := range rows {
				if err := b.Put([]byte(k), v); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	return path
}

func writeBadger(t *testing.T, f fixture) string {
	dir := filepath.Join(t.TempDir(), "db")
	db, err := badgerv2.Open(badgerv2.DefaultOptions(dir).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(txn *badgerv2.Txn) error {
		for bucket, rows := range f {
			if err := txn.Set(bucketPrefix(bucket), []byte{}); err != nil { // a table marker
				return err
			}
			for k, v := range rows {
				if err := txn.Set(badgerKey([]byte(bucket), []byte(k)), v); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestSources(t *testing.T) {
	f := stepFixture(t)
	for name, open := range map[string]func() (Source, error){
		"bbolt":    func() (Source, error) { return Open(TypeBolt, writeBolt(t, f), "") },
		"badgerv2": func() (Source, error) { return Open(TypeBadgerV2, writeBadger(t, f), "") },
	} {
		t.Run(name, func(t *testing.T) {
			src, err := open()
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			for bucket, rows := range f {
				got := map[string][]byte{}
				if err := src.ForEach(bucket, func(k, v []byte) error {
					got[string(k)] = bytes.Clone(v)
					return nil
				}); err != nil {
					t.Fatal(err)
				}
				if len(got) != len(rows) {
					t.Errorf("%s: %d rows, want %d", bucket, len(got), len(rows))
				}
				for k, v := range rows {
					if !bytes.Equal(got[k], v) {
						t.Errorf("%s[%s] = %q, want %q", bucket, k, got[k], v)
					}
				}
			}
			n := 0
			if err := src.ForEach("no_such_table", func(k, v []byte) error { n++; return nil }); err != nil || n != 0 {
				t.Errorf("missing table: %d rows, %v", n, err)
			}
			stop := errors.New("stop")
			if err := src.ForEach(bucketUsedOTT, func(k, v []byte) error { return stop }); !errors.Is(err, stop) {
				t.Errorf("fn's error not returned: %v", err)
			}
		})
	}
	if _, err := Open("badgerv1", t.TempDir(), ""); err == nil {
		t.Error("badger v1 accepted")
	}
}

func TestImport(t *testing.T) {
	f := stepFixture(t)
	src, err := Open(TypeBadgerV2, writeBadger(t, f), "")
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
	last := 0
	c, err := Import(ctx, src, dst, func(n int) { last = n })
	if err != nil {
		t.Fatal(err)
	}
	if c.Certificates != 2 || c.Revocations != 1 || c.Tokens != 2 || len(c.Skipped) != 1 || c.Skipped[0] != "1003" || last != 6 {
		t.Fatalf("counts %+v, last progress %d", c, last)
	}
	good, err := dst.Certificate(ctx, "1001")
	if err != nil {
		t.Fatal(err)
	}
	if good.Subject != "good.example.com" || len(good.SANs) != 3 || good.SANs[1] != "10.0.0.1" || good.SANs[2] != "a@example.com" ||
		good.Provisioner != (storage.ProvisionerRef{ID: "admin@example.com:kid1", Name: "admin@example.com", Type: "JWK"}) ||
		!bytes.Equal(good.DER, f[bucketCerts]["1001"]) || !good.IssuedAt.Equal(good.NotBefore) {
		t.Errorf("imported certificate: %+v", good)
	}
	rev, err := dst.Revocation(ctx, "1002")
	if err != nil {
		t.Fatal(err)
	}
	if rev.ReasonCode != 1 || rev.Reason != "lost" || !rev.MTLS || !rev.RevokedAt.Equal(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)) {
		t.Errorf("imported revocation: %+v", rev)
	}
	if err := dst.UseToken(ctx, storage.UsedToken{ID: "jti-1"}); !errors.Is(err, storage.ErrTokenUsed) {
		t.Errorf("imported token usable again: %v", err)
	}
	if n, err := dst.PurgeTokens(ctx, time.Now().Add(1000*time.Hour)); err != nil || n != 0 {
		t.Errorf("imported tokens purged: %d, %v", n, err)
	}

	// Again: everything is already present.
	c, err = Import(ctx, src, dst, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Certificates+c.Revocations+c.Tokens != 0 || c.CertificatesPresent != 2 || c.RevocationsPresent != 1 || c.TokensPresent != 2 {
		t.Errorf("second import: %+v", c)
	}

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Import(cctx, src, dst, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled import: %v", err)
	}
}

func TestLocked(t *testing.T) {
	dir := writeBadger(t, stepFixture(t))
	db, err := badgerv2.Open(badgerv2.DefaultOptions(dir).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := OpenBadgerV2(dir, ""); !errors.Is(err, ErrLocked) {
		t.Errorf("Badger held by step-ca: %v", err)
	}
	path := writeBolt(t, stepFixture(t))
	bdb, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	if _, err := OpenBolt(path); !errors.Is(err, ErrLocked) {
		t.Errorf("bbolt held by step-ca: %v", err)
	}
}
