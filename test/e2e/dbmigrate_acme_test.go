package e2e

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/acme"
)

// TestDBMigrateACME: stride-ca on bbolt, with an ACME provisioner that
// requires EAB, registers an account (bound to a key made by `stride ca
// acme eab add`) and finalizes an order over http-01, through
// golang.org/x/crypto/acme. Stopped, its database is moved to PostgreSQL
// with `stride ca db migrate`; stride-ca on the new database finds the
// account by its key at the same URL, serves the valid order and its
// certificate, and still refuses the bound key to another account.
func TestDBMigrateACME(t *testing.T) {
	t.Parallel()
	var key eabKey
	opts := acmeOptions{
		strideOnly:  "the database commands are stride's",
		provisioner: map[string]any{"requireEAB": true},
		setup:       func(t *testing.T, ca *runningCA) { key = addEAB(t, ca, "migrated") },
	}
	forEachACME(t, opts, func(t *testing.T, a *acmeCA) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		acctKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		client := &acme.Client{Key: acctKey, DirectoryURL: a.Dir, HTTPClient: a.httpClient()}
		hmacKey, err := base64.RawURLEncoding.DecodeString(key.HMACKey)
		if err != nil {
			t.Fatalf("EAB HMAC key %q: %v", key.HMACKey, err)
		}
		registered, err := client.Register(ctx, &acme.Account{Contact: []string{"mailto:ops@example.com"},
			ExternalAccountBinding: &acme.ExternalAccountBinding{KID: key.ID, Key: hmacKey}}, acme.AcceptTOS)
		if err != nil {
			t.Fatalf("register with EAB: %v", err)
		}
		order, der := finalizeHTTP01(ctx, t, client, a.HTTPPort, "migrated.example.test")

		a.stop()
		pg := migrateToPostgres(t, a.runningCA)
		a.editConfig(func(cfg map[string]any) { cfg["db"] = pg })
		a.exited = make(chan struct{})
		a.start()

		found, err := client.GetReg(ctx, "")
		if err != nil {
			t.Fatalf("the migrated account at stride-ca on PostgreSQL: %v", err)
		}
		if found.URI != registered.URI || found.Status != acme.StatusValid || len(found.Contact) != 1 {
			t.Errorf("after the migration: %+v, registered %+v", found, registered)
		}
		got, err := client.GetOrder(ctx, order.URI)
		if err != nil || got.Status != acme.StatusValid || got.CertURL != order.CertURL {
			t.Fatalf("the migrated order: %+v, %v; want valid with certificate %s", got, err, order.CertURL)
		}
		chain, err := client.FetchCert(ctx, got.CertURL, false)
		if err != nil || len(chain) == 0 || string(chain[0]) != string(der) {
			t.Errorf("the migrated order's certificate: %d certificates, %v; want the one issued", len(chain), err)
		}
		// The binding came along: the key binds no second account.
		otherKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		other := &acme.Client{Key: otherKey, DirectoryURL: a.Dir, HTTPClient: a.httpClient()}
		_, err = other.Register(ctx, &acme.Account{ExternalAccountBinding: &acme.ExternalAccountBinding{KID: key.ID, Key: hmacKey}}, acme.AcceptTOS)
		if err == nil {
			t.Error("the migrated bound EAB key registered a second account")
		}
	})
}

// migrateToPostgres runs `stride ca db migrate` from ca's ca.json to a new
// PostgreSQL database (dropped when the test ends) and returns its db
// config.
func migrateToPostgres(t *testing.T, ca *runningCA) map[string]any {
	t.Helper()
	suffix := make([]byte, 4)
	rand.Read(suffix)
	name := "stride_e2e_migrate_" + hex.EncodeToString(suffix)
	t.Cleanup(func() {
		newEnv(t).exec("psql", "", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-c",
			fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name))
	})
	pg := map[string]any{"type": "postgresql", "dataSource": "postgresql://postgres@127.0.0.1:5432/", "database": name}
	to := fmt.Sprintf(`{"type":"postgresql","dataSource":"postgresql://postgres@127.0.0.1:5432/","database":%q}`, name)
	r := must(t, ca.env.stride("ca", "db", "migrate", "--from", ca.CAConfig, "--to", to))
	for _, want := range []string{"1 ACME EAB keys, 1 ACME accounts, 1 ACME orders (1 authorizations)", "counts verified"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("migrate output lacks %q:\n%s", want, r)
		}
	}
	return pg
}

// finalizeHTTP01 orders a certificate for name, answers its http-01
// challenge on 127.0.0.1:port (where the CA validates) and finalizes the
// order; it returns the valid order and the leaf's DER.
func finalizeHTTP01(ctx context.Context, t *testing.T, c *acme.Client, port int, name string) (*acme.Order, []byte) {
	t.Helper()
	order, err := c.AuthorizeOrder(ctx, acme.DomainIDs(name))
	if err != nil {
		t.Fatalf("new order: %v", err)
	}
	// Every token's answer is known before the server starts, so the
	// handler only reads the map.
	tokens := map[string]string{}
	var challenges []*acme.Challenge
	for _, u := range order.AuthzURLs {
		z, err := c.GetAuthorization(ctx, u)
		if err != nil {
			t.Fatalf("authorization: %v", err)
		}
		for _, ch := range z.Challenges {
			if ch.Type == "http-01" {
				if tokens[ch.Token], err = c.HTTP01ChallengeResponse(ch.Token); err != nil {
					t.Fatal(err)
				}
				challenges = append(challenges, ch)
			}
		}
	}
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(tokens[strings.TrimPrefix(r.URL.Path, "/.well-known/acme-challenge/")]))
	})}
	go srv.Serve(ln)
	defer srv.Close()
	for _, ch := range challenges {
		if _, err := c.Accept(ctx, ch); err != nil {
			t.Fatalf("accept http-01: %v", err)
		}
	}
	for _, u := range order.AuthzURLs {
		if _, err := c.WaitAuthorization(ctx, u); err != nil {
			t.Fatalf("authorization %s: %v", u, err)
		}
	}
	if order, err = c.WaitOrder(ctx, order.URI); err != nil {
		t.Fatalf("order ready: %v", err)
	}
	leafKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	csr, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{DNSNames: []string{name}}, leafKey)
	if err != nil {
		t.Fatal(err)
	}
	chain, _, err := c.CreateOrderCert(ctx, order.FinalizeURL, csr, false)
	if err != nil || len(chain) == 0 {
		t.Fatalf("finalize: %v", err)
	}
	if order, err = c.GetOrder(ctx, order.URI); err != nil || order.Status != acme.StatusValid {
		t.Fatalf("the finalized order: %+v, %v", order, err)
	}
	return order, chain[0]
}
