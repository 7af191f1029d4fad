package server

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	xacme "golang.org/x/crypto/acme"

	"github.com/stride-pki/stride/internal/config"
	"github.com/stride-pki/stride/internal/pemutil"
	"github.com/stride-pki/stride/internal/pki"
)

// TestRunServesACME: stride-ca's composition root mounts the ACME
// provisioner over bbolt, validates http-01 for real through the
// validation package on the acmeTestPorts port, issues, and keeps serving
// ACME with the new configuration after a SIGHUP reload.
func TestRunServesACME(t *testing.T) {
	challenge, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer challenge.Close()
	paths, url := startACMECA(t, challenge.Addr().(*net.TCPAddr).Port)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	client := &xacme.Client{Key: key, DirectoryURL: url + "/acme/acme/directory", HTTPClient: trusting(t, paths)}
	if _, err := client.Register(ctx, &xacme.Account{}, xacme.AcceptTOS); err != nil {
		t.Fatal(err)
	}
	go http.Serve(challenge, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ka, _ := client.HTTP01ChallengeResponse(strings.TrimPrefix(r.URL.Path, "/.well-known/acme-challenge/"))
		io.WriteString(w, ka)
	}))
	order, err := client.AuthorizeOrder(ctx, xacme.IPIDs("127.0.0.1"))
	if err != nil {
		t.Fatal(err)
	}
	z, err := client.GetAuthorization(ctx, order.AuthzURLs[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range z.Challenges {
		if c.Type == "http-01" {
			if _, err := client.Accept(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := client.WaitAuthorization(ctx, z.URI); err != nil {
		t.Fatal(err)
	}
	csrKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	csr, _ := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}}, csrKey)
	if _, err := client.WaitOrder(ctx, order.URI); err != nil {
		t.Fatal(err)
	}
	chain, _, err := client.CreateOrderCert(ctx, order.FinalizeURL, csr, true)
	if err != nil || len(chain) != 2 {
		t.Fatalf("certificate: %d, %v", len(chain), err)
	}
	reloadWithTermsOfService(t, paths, client, "https://example.com/tos")
}

// startACMECA creates a PKI with an ACME provisioner and runs stride-ca on it.
func startACMECA(t *testing.T, http01Port int) (config.Paths, string) {
	t.Helper()
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	paths := config.SinglePaths(filepath.Join(t.TempDir(), "stride"))
	pw := []byte("pw")
	if _, err := pki.Create(paths, pki.Options{Name: "Run", DNSNames: []string{"127.0.0.1"}, Address: addr,
		Provisioner: "admin", Password: pw, ACME: true, DeploymentType: "standalone"}); err != nil {
		t.Fatal(err)
	}
	editCAConfig(t, paths, func(m map[string]any) {
		m["acmeTestPorts"] = map[string]any{"http01": http01Port}
	})
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, RunOptions{ConfigPath: paths.CAConfig(), Base: paths.Authority, Secrets: Secrets{Password: pw},
			Log: io.Discard, Ready: func(u string) { ready <- u }})
	}()
	t.Cleanup(func() { cancel(); <-done })
	select {
	case u := <-ready:
		return paths, u
	case err := <-done:
		t.Fatalf("stride-ca stopped: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("stride-ca did not start")
	}
	return paths, ""
}

func editCAConfig(t *testing.T, paths config.Paths, edit func(map[string]any)) {
	t.Helper()
	b, err := os.ReadFile(paths.CAConfig())
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	json.Unmarshal(b, &m)
	edit(m)
	b, _ = json.MarshalIndent(m, "", "  ")
	if err := os.WriteFile(paths.CAConfig(), b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func trusting(t *testing.T, paths config.Paths) *http.Client {
	t.Helper()
	roots, err := pemutil.ReadCertificates(paths.RootCert())
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(roots[0])
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

// reloadWithTermsOfService edits the ACME provisioner, sends SIGHUP and
// waits for the directory to show the change: the swapped handler serves
// ACME from the new generation.
func reloadWithTermsOfService(t *testing.T, paths config.Paths, client *xacme.Client, tos string) {
	t.Helper()
	editCAConfig(t, paths, func(m map[string]any) {
		for _, p := range m["authority"].(map[string]any)["provisioners"].([]any) {
			if pm := p.(map[string]any); pm["type"] == "ACME" {
				pm["termsOfService"] = tos
			}
		}
	})
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		resp, err := client.HTTPClient.Get(client.DirectoryURL)
		if err != nil {
			t.Fatal(err)
		}
		var dir struct {
			Meta struct {
				TermsOfService string `json:"termsOfService"`
			} `json:"meta"`
		}
		json.NewDecoder(resp.Body).Decode(&dir)
		resp.Body.Close()
		if resp.StatusCode == 200 && dir.Meta.TermsOfService == tos {
			return
		}
	}
	t.Fatal("the reloaded ACME provisioner is not served: " + strconv.Quote(tos))
}

// TestNonceKeyIsSharedByReplicas: replicas with one intermediate key derive
// one nonce key (so they accept each other's nonces); another key differs.
func TestNonceKeyIsSharedByReplicas(t *testing.T) {
	k1, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	k2, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	a, b, c := nonceKey(k1), nonceKey(k1), nonceKey(k2)
	if len(a) != 32 || string(a) != string(b) || string(a) == string(c) {
		t.Fatalf("nonce keys: same key equal %v, other key differs %v", string(a) == string(b), string(a) != string(c))
	}
}
