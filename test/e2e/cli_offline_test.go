package e2e

import (
	"strings"
	"testing"
)

// TestOfflineSigning: `stride ca certificate --offline` and `stride ca sign
// --offline` sign with the CA's own key from --ca-config, no server running;
// the chain verifies against the root and the certificates are recorded in
// the CA's database like online issuances (`stride ca certificates list`).
// A running stride-ca holding the bbolt database makes --offline refuse with
// advice. (Reference: `step ca certificate --offline`.)
func TestOfflineSigning(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	pw := initCA(t, e)
	caConfig := e.pki("config/ca.json")
	root := e.pki("certs/root_ca.crt")

	r := must(t, e.stride("ca", "certificate", "offline.example.com", "off.crt", "off.key", "--offline",
		"--ca-config", caConfig, "--provisioner-password-file", pw, "--password-file", pw, "--san", "offline.example.com", "--not-after", "2h"))
	if !strings.Contains(r.stderr, "offline") {
		t.Errorf("no offline notice: %s", r)
	}
	must(t, e.openssl("verify", "-CAfile", root, "-untrusted", e.path("off.crt"), e.path("off.crt")))
	leaf := readCert(t, e.path("off.crt"))
	if leaf.Subject.CommonName != "offline.example.com" || len(leaf.DNSNames) != 1 || leaf.DNSNames[0] != "offline.example.com" {
		t.Fatalf("leaf %v %v", leaf.Subject, leaf.DNSNames)
	}
	if d := leaf.NotAfter.Sub(leaf.NotBefore); d > 2*60*60e9+2*60e9 {
		t.Errorf("validity %v, want about 2h (--not-after)", d)
	}

	must(t, e.stride("certificate", "create", "--csr", "csr.example.com", "csr.csr", "csr.key", "--no-password", "--insecure"))
	must(t, e.stride("ca", "sign", "csr.csr", "csr.crt", "--offline", "--ca-config", caConfig, "--password-file", pw))
	must(t, e.openssl("verify", "-CAfile", root, "-untrusted", e.path("csr.crt"), e.path("csr.crt")))

	// Wrong provisioner password: refused, nothing written.
	bad := e.write("bad", "nope\n")
	mustFail(t, e.stride("ca", "certificate", "x.example.com", "x.crt", "x.key", "--offline", "--ca-config", caConfig,
		"--provisioner-password-file", bad, "--password-file", pw), "password")

	list := must(t, e.stride("ca", "certificates", "list", "--ca-config", caConfig))
	for _, want := range []*struct{ serial string }{{leaf.SerialNumber.String()}, {readCert(t, e.path("csr.crt")).SerialNumber.String()}} {
		if !strings.Contains(list.stdout, want.serial) {
			t.Errorf("serial %s not in the inventory:\n%s", want.serial, list.stdout)
		}
	}
}
