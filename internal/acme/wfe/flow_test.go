package wfe

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	xacme "golang.org/x/crypto/acme"
)

// TestACMEFlow runs RFC 8555 end to end with golang.org/x/crypto/acme as
// the client: directory, nonce, account, order, http-01 answered by a local
// listener and validated asynchronously, finalize, download, the errors a
// client meets on the way, and revocation.
func TestACMEFlow(t *testing.T) {
	ts := newTestServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	client := newClient(t, ts)
	acct, err := client.Register(ctx, &xacme.Account{Contact: []string{"mailto:ops@example.com"}}, xacme.AcceptTOS)
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"flow.example", "www.flow.example"}
	order, err := client.AuthorizeOrder(ctx, xacme.DomainIDs(names...))
	if err != nil {
		t.Fatal(err)
	}
	if order.Status != xacme.StatusPending || len(order.AuthzURLs) != 2 {
		t.Fatalf("order %+v", order)
	}
	early, _ := newCSR(t, names...)
	_, _, err = client.CreateOrderCert(ctx, order.FinalizeURL, early, true)
	wantACMEError(t, err, http.StatusForbidden, "orderNotReady")

	serveHTTP01(t, ts, client)
	for _, u := range order.AuthzURLs {
		z, err := client.GetAuthorization(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		chal := challengeOf(t, z, "http-01")
		if _, err := client.Accept(ctx, chal); err != nil {
			t.Fatal(err)
		}
		if _, err := client.WaitAuthorization(ctx, z.URI); err != nil {
			t.Fatal(err)
		}
	}
	if order, err = client.WaitOrder(ctx, order.URI); err != nil || order.Status != xacme.StatusReady {
		t.Fatalf("order %+v: %v", order, err)
	}
	short, _ := newCSR(t, "flow.example")
	_, _, err = client.CreateOrderCert(ctx, order.FinalizeURL, short, true)
	wantACMEError(t, err, http.StatusBadRequest, "badCSR")

	csr, certKey := newCSR(t, names...)
	chain, certURL, err := client.CreateOrderCert(ctx, order.FinalizeURL, csr, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(chain) != 2 || !strings.Contains(certURL, "/acme/acme/certificate/") {
		t.Fatalf("%d certificates at %s", len(chain), certURL)
	}
	leaf, _ := x509.ParseCertificate(chain[0])
	if leaf.DNSNames[0] != "flow.example" {
		t.Fatalf("leaf names %v", leaf.DNSNames)
	}
	again, err := client.FetchCert(ctx, certURL, true)
	if err != nil || len(again) != 2 {
		t.Fatalf("download: %d, %v", len(again), err)
	}

	stranger := newClient(t, ts)
	if _, err := stranger.Register(ctx, &xacme.Account{}, xacme.AcceptTOS); err != nil {
		t.Fatal(err)
	}
	err = stranger.RevokeCert(ctx, nil, chain[0], xacme.CRLReasonKeyCompromise)
	wantACMEError(t, err, http.StatusUnauthorized, "unauthorized")
	// Revoked with the certificate's own key (a jwk JWS, no account).
	if err := client.RevokeCert(ctx, certKey, chain[0], xacme.CRLReasonKeyCompromise); err != nil {
		t.Fatal(err)
	}
	if rev, err := ts.store.Revocation(ctx, leaf.SerialNumber.String()); err != nil || !rev.ACME || rev.ReasonCode != 1 {
		t.Fatalf("revocation %+v: %v", rev, err)
	}
	// The owner (kid) is authorized too, and learns it is revoked already;
	// x/crypto/acme hides alreadyRevoked: look at the wire.
	raw := &rawClient{t: t, ts: ts, key: client.Key.(*ecdsa.PrivateKey), kid: acct.URI}
	resp := raw.post("revoke-cert", map[string]any{"certificate": base64.RawURLEncoding.EncodeToString(chain[0])})
	if p := problemOf(t, resp); resp.StatusCode != http.StatusBadRequest || p.Type != "urn:ietf:params:acme:error:alreadyRevoked" {
		t.Fatalf("second revocation: %d %s", resp.StatusCode, p.Type)
	}
}

func newClient(t *testing.T, ts *testServer) *xacme.Client {
	t.Helper()
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	return &xacme.Client{Key: k, DirectoryURL: ts.dirURL(), HTTPClient: ts.srv.Client()}
}

// serveHTTP01 answers every http-01 token of client's account from a local
// listener the test validator fetches from.
func serveHTTP01(t *testing.T, ts *testServer, client *xacme.Client) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token := strings.TrimPrefix(r.URL.Path, "/.well-known/acme-challenge/")
		ka, err := client.HTTP01ChallengeResponse(token)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Write([]byte(ka))
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	ts.val.addr = ln.Addr().String()
}

func challengeOf(t *testing.T, z *xacme.Authorization, typ string) *xacme.Challenge {
	t.Helper()
	for _, c := range z.Challenges {
		if c.Type == typ {
			return c
		}
	}
	t.Fatalf("no %s challenge in %+v", typ, z)
	return nil
}

func newCSR(t *testing.T, names ...string) ([]byte, *ecdsa.PrivateKey) {
	t.Helper()
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: pkix.Name{CommonName: names[0]}, DNSNames: names}, k)
	if err != nil {
		t.Fatal(err)
	}
	return der, k
}

// wantACMEError asserts an *acme.Error with status and problem type.
func wantACMEError(t *testing.T, err error, status int, typ string) {
	t.Helper()
	var ae *xacme.Error
	if !errors.As(err, &ae) {
		t.Fatalf("error %v, want an ACME %s problem", err, typ)
	}
	if ae.StatusCode != status || ae.ProblemType != "urn:ietf:params:acme:error:"+typ {
		t.Fatalf("got %d %s (%s), want %d %s", ae.StatusCode, ae.ProblemType, ae.Detail, status, typ)
	}
}
