package pki

import (
	"crypto"
	"crypto/x509"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/config"
	"github.com/stride-pki/stride/internal/jose"
	"github.com/stride-pki/stride/internal/pemutil"
)

func testOptions() Options {
	return Options{Name: "Unit", DNSNames: []string{"ca.internal", "127.0.0.1"}, Address: "127.0.0.1:9000",
		Provisioner: "admin", Password: []byte("pw"), ProvisionerPassword: []byte("prov-pw"), DeploymentType: "standalone"}
}

func TestCreateWritesAVerifiablePKI(t *testing.T) {
	paths := config.SinglePaths(filepath.Join(t.TempDir(), "stride"))
	opts := testOptions()
	opts.SSH, opts.ACME = true, true
	res, err := Create(paths, opts)
	if err != nil {
		t.Fatal(err)
	}
	root, err := pemutil.ReadCertificate(paths.RootCert())
	if err != nil {
		t.Fatal(err)
	}
	inter, err := pemutil.ReadCertificate(paths.IntermediateCert())
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(root)
	if _, err := inter.Verify(x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		t.Fatalf("intermediate does not chain to root: %v", err)
	}
	if root.MaxPathLen != 1 || inter.MaxPathLen != 0 || !inter.MaxPathLenZero {
		t.Fatalf("path lengths root %d, intermediate %d", root.MaxPathLen, inter.MaxPathLen)
	}
	if got := inter.NotAfter.Sub(inter.NotBefore); got != CAValidity {
		t.Fatalf("validity %v", got)
	}
	if root.Subject.CommonName != "Unit Root CA" || inter.Subject.CommonName != "Unit Intermediate CA" {
		t.Fatalf("names %q %q", root.Subject.CommonName, inter.Subject.CommonName)
	}
	if res.RootFingerprint != Fingerprint(root) || res.CAURL != "https://ca.internal:9000" {
		t.Fatalf("result %+v", res)
	}
	key, err := pemutil.ReadPrivateKey(paths.IntermediateKey(), []byte("pw"))
	if err != nil || !key.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(inter.PublicKey) {
		t.Fatalf("intermediate key: %v", err)
	}
	cfg, err := config.Load(paths.CAConfig())
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if len(cfg.Authority.Provisioners) != 3 || cfg.SSH == nil || cfg.DB == nil || cfg.DB.Type != "bbolt" {
		t.Fatalf("ca.json: %+v", cfg)
	}
	jwk, err := cfg.Authority.Provisioners[0].JWK()
	if err != nil {
		t.Fatal(err)
	}
	priv, err := jose.DecryptJWK(jwk.EncryptedKey, []byte("prov-pw"))
	if err != nil {
		t.Fatalf("provisioner key does not open with the provisioner password: %v", err)
	}
	tp, _ := jose.Thumbprint(jose.Public(priv))
	if priv.KeyID != tp {
		t.Fatalf("kid %s, thumbprint %s", priv.KeyID, tp)
	}
	for _, f := range []string{"certs/ssh_user_ca_key.pub", "secrets/ssh_host_ca_key", "templates/ssh/known_hosts.tpl", "config/defaults.json"} {
		if _, err := os.Stat(filepath.Join(paths.Authority, f)); err != nil {
			t.Error(err)
		}
	}
	st, _ := os.Stat(paths.IntermediateKey())
	if st.Mode().Perm() != 0o600 {
		t.Errorf("key mode %v", st.Mode())
	}
}

func TestCreateValidatesOptions(t *testing.T) {
	cases := map[string]func(*Options){
		"no name":        func(o *Options) { o.Name = "" },
		"no password":    func(o *Options) { o.Password = nil },
		"no dns":         func(o *Options) { o.DNSNames = nil },
		"bad address":    func(o *Options) { o.Address = "9000" },
		"no provisioner": func(o *Options) { o.Provisioner = "" },
		"small rsa":      func(o *Options) { o.Kty, o.Size = "RSA", 1024 },
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "stride")
			o := testOptions()
			mutate(&o)
			if _, err := Create(config.SinglePaths(dir), o); err == nil {
				t.Fatal("accepted")
			}
			if _, err := os.Stat(dir); !os.IsNotExist(err) {
				t.Fatal("a refused Create wrote files")
			}
		})
	}
}

func TestCreateRollsBackOnWriteFailure(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "stride")
	paths := config.SinglePaths(dir)
	// A directory where ca.json must go makes the last write fail.
	if err := os.MkdirAll(paths.CAConfig(), 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := Create(paths, testOptions()); err == nil || !strings.Contains(err.Error(), "ca.json") {
		t.Fatalf("got %v", err)
	}
	for _, p := range []string{paths.RootCert(), paths.IntermediateKey(), paths.Defaults()} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s left behind", p)
		}
	}
}

func TestCAURL(t *testing.T) {
	cases := map[[2]string]string{
		{"ca.internal", ":443"}:         "https://ca.internal",
		{"ca.internal", "0.0.0.0:8443"}: "https://ca.internal:8443",
		{"::1", "[::1]:9000"}:           "https://[::1]:9000",
	}
	for in, want := range cases {
		if got := CAURL(in[0], in[1]); got != want {
			t.Errorf("CAURL(%q, %q) = %q, want %q", in[0], in[1], got, want)
		}
	}
}

func TestExistingRootIsReused(t *testing.T) {
	first := config.SinglePaths(filepath.Join(t.TempDir(), "a"))
	if _, err := Create(first, testOptions()); err != nil {
		t.Fatal(err)
	}
	root, _ := pemutil.ReadCertificate(first.RootCert())
	rootKey, _ := pemutil.ReadPrivateKey(first.RootKey(), []byte("pw"))
	second := config.SinglePaths(filepath.Join(t.TempDir(), "b"))
	o := testOptions()
	o.Root, o.RootKey, o.Now = root, rootKey, func() time.Time { return time.Now() }
	res, err := Create(second, o)
	if err != nil {
		t.Fatal(err)
	}
	if res.RootFingerprint != Fingerprint(root) {
		t.Fatal("root replaced")
	}
	if _, err := os.Stat(second.RootKey()); !os.IsNotExist(err) {
		t.Fatal("existing root key written")
	}
	if err := res.Intermediate.CheckSignatureFrom(root); err != nil {
		t.Fatal(err)
	}
}
