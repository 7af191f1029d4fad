package e2e

import (
	"bytes"
	"crypto/x509"
	"strings"
	"testing"
	"time"
)

// issue runs `step ca certificate` with the init-made JWK provisioner.
func (ca *runningCA) issue(t *testing.T, c *env, sub string, args ...string) (crt, key string) {
	t.Helper()
	crt, key = c.path(sub+".crt"), c.path(sub+".key")
	must(t, c.step(append(append([]string{"ca", "certificate", sub, crt, key}, ca.jwkFlags()...), args...)...))
	return crt, key
}

// backdatePKI re-issues the root and the intermediate (same keys and names)
// valid from two hours ago. step-ca verifies a renew token's x5cInsecure
// chain at the leaf's NotAfter minus one minute: for a leaf of a few seconds
// that instant precedes a PKI made by `step ca init` seconds earlier.
func (ca *runningCA) backdatePKI(t *testing.T) {
	t.Helper()
	sp := ca.env.stepPath
	must(t, ca.env.step("certificate", "create", "E2E Root CA", ca.Root, "--profile", "root-ca",
		"--key", sp+"/secrets/root_ca_key", "--password-file", ca.Password,
		"--not-before=-2h", "--not-after", "87600h", "--force"))
	must(t, ca.env.step("certificate", "create", "E2E Intermediate CA", sp+"/certs/intermediate_ca.crt",
		"--profile", "intermediate-ca", "--ca", ca.Root, "--ca-key", sp+"/secrets/root_ca_key",
		"--ca-password-file", ca.Password, "--key", sp+"/secrets/intermediate_ca_key", "--password-file", ca.Password,
		"--not-before=-2h", "--not-after", "8760h", "--force"))
}

func pubDER(t *testing.T, c *x509.Certificate) []byte {
	t.Helper()
	b, err := x509.MarshalPKIXPublicKey(c.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCARenewRekeyRevoke: mTLS renew and rekey keep the names and change the
// serial; revocation (mTLS and token) blocks renewal and cannot be repeated.
func TestCARenewRekeyRevoke(t *testing.T) {
	t.Parallel()
	forEachCA(t, func(t *testing.T, ca *runningCA) {
		c := ca.client(t)
		crt, key := ca.issue(t, c, "life.example.com", "--san", "life.example.com", "--san", "life2.example.com", "--not-after", "2h")
		old := ca.checkLeaf(t, c, crt, "life.example.com", "life2.example.com")

		// renew (mTLS): new serial, same names, same key, same lifetime.
		must(t, c.step("ca", "renew", "--force", crt, key))
		renewed := ca.checkLeaf(t, c, crt, "life.example.com", "life2.example.com")
		if renewed.SerialNumber.Cmp(old.SerialNumber) == 0 {
			t.Error("renew kept the serial")
		}
		if !bytes.Equal(pubDER(t, renewed), pubDER(t, old)) {
			t.Error("renew changed the key")
		}
		if renewed.Subject.CommonName != old.Subject.CommonName {
			t.Errorf("renew changed the subject: %v", renewed.Subject)
		}
		if d, want := renewed.NotAfter.Sub(renewed.NotBefore), old.NotAfter.Sub(old.NotBefore); d < want-2*time.Minute || d > want+time.Minute {
			t.Errorf("renewed lifetime %v, old %v", d, want)
		}

		// rekey (mTLS): new key and serial, same names.
		must(t, c.step("ca", "rekey", crt, key, "--force"))
		rekeyed := ca.checkLeaf(t, c, crt, "life.example.com", "life2.example.com")
		if rekeyed.SerialNumber.Cmp(renewed.SerialNumber) == 0 || bytes.Equal(pubDER(t, rekeyed), pubDER(t, renewed)) {
			t.Error("rekey kept the serial or the key")
		}
		must(t, c.openssl("x509", "-in", crt, "-noout", "-checkend", "3600"))
		kp := must(t, c.openssl("pkey", "-in", key, "-pubout")).stdout
		cp := must(t, c.openssl("x509", "-in", crt, "-noout", "-pubkey")).stdout
		if kp != cp {
			t.Error("the rekeyed certificate does not match the new key file")
		}

		// revoke with mTLS: the certificate revokes itself.
		r := must(t, c.step("ca", "revoke", "--cert", crt, "--key", key))
		t.Logf("revoke (mTLS): %s", r.stdout+r.stderr)
		refusedRevoked(t, ca, func() result { return c.step("ca", "renew", "--force", crt, key) })
		refusedRevoked(t, ca, func() result { return c.step("ca", "rekey", crt, key, "--force") })

		// revoke by serial with a revoke token.
		crt2, key2 := ca.issue(t, c, "gone.example.com")
		serial := readCert(t, crt2).SerialNumber.String()
		tok := stepToken(t, c, serial, append(ca.jwkFlags(), "--revoke")...)
		r = must(t, c.step("ca", "revoke", serial, "--token", tok, "--reason", "key compromise"))
		t.Logf("revoke (token): %s", r.stdout+r.stderr)
		refusedRevoked(t, ca, func() result { return c.step("ca", "renew", "--force", crt2, key2) })
		// ... and again: already revoked.
		tok = stepToken(t, c, serial, append(ca.jwkFlags(), "--revoke")...)
		refused(t, c.step("ca", "revoke", serial, "--token", tok), "already revoked")
		// The mTLS-revoked certificate cannot be revoked again either.
		refused(t, c.step("ca", "revoke", "--cert", crt, "--key", key), "already revoked")
	})
}

// refusedRevoked: renewing a revoked certificate is a 401 whose body is the
// generic message (step-ca sends no detail), and the server logs the reason.
func refusedRevoked(t *testing.T, ca *runningCA, run func() result) {
	t.Helper()
	before := strings.Count(strings.ToLower(ca.Log()), "revoked")
	refused(t, run(), "lacked necessary authorization")
	time.Sleep(100 * time.Millisecond) // the request log is written after the answer
	if strings.Count(strings.ToLower(ca.Log()), "revoked") <= before {
		t.Errorf("the server log does not say the certificate is revoked:\n%s", ca.logTail(5))
	}
}

// TestCARenewAfterExpiry: an expired certificate renews with a bearer renew
// token (--mtls=false) only when its provisioner allows renewal after expiry.
func TestCARenewAfterExpiry(t *testing.T) {
	t.Parallel()
	opts := caOptions{setup: func(t *testing.T, ca *runningCA) {
		ca.backdatePKI(t)
		must(t, ca.env.step("ca", "provisioner", "add", "strict", "--type", "JWK", "--create",
			"--password-file", ca.Password, "--ca-config", ca.CAConfig))
		ca.setClaims(provisionerName, map[string]any{"minTLSCertDuration": "1s", "allowRenewalAfterExpiry": true})
		ca.setClaims("strict", map[string]any{"minTLSCertDuration": "1s"})
	}}
	forEachCAWith(t, opts, func(t *testing.T, ca *runningCA) {
		c := ca.client(t)
		crt, key := ca.issue(t, c, "late.example.com", "--not-after", "3s")
		strictCrt, strictKey := c.path("strict.crt"), c.path("strict.key")
		must(t, c.step("ca", "certificate", "strict.example.com", strictCrt, strictKey,
			"--provisioner", "strict", "--provisioner-password-file", ca.Password, "--not-after", "3s"))
		old := readCert(t, crt)
		if d := time.Until(old.NotAfter); d > 4*time.Second {
			t.Fatalf("the short certificate lives %v more", d)
		}
		// Wait until both are well past their end (a loaded machine must not
		// turn "expired" into "expires this second").
		for _, p := range []string{crt, strictCrt} {
			if d := time.Until(readCert(t, p).NotAfter.Add(2 * time.Second)); d > 0 {
				time.Sleep(d)
			}
		}
		if r := c.openssl("x509", "-in", crt, "-noout", "-checkend", "0"); r.code == 0 {
			t.Fatalf("the certificate has not expired: %s", r)
		}

		must(t, c.step("ca", "renew", "--mtls=false", "--force", crt, key))
		renewed := readCert(t, crt)
		if renewed.SerialNumber.Cmp(old.SerialNumber) == 0 || !renewed.NotAfter.After(old.NotAfter) {
			t.Errorf("renewal after expiry: serial %v (old %v), NotAfter %v (old %v)",
				renewed.SerialNumber, old.SerialNumber, renewed.NotAfter, old.NotAfter)
		}
		if !sameSet(renewed.DNSNames, old.DNSNames) || renewed.Subject.CommonName != old.Subject.CommonName {
			t.Errorf("renewal changed the names: %v %v", renewed.Subject, renewed.DNSNames)
		}
		zlintClean(t, c, crt)

		if d := time.Until(readCert(t, strictCrt).NotAfter.Add(2 * time.Second)); d > 0 {
			time.Sleep(d)
		}
		refused(t, c.step("ca", "renew", "--mtls=false", "--force", strictCrt, strictKey), "certificate expired on")
	})
}
