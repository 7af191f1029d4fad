package authority

import (
	"context"
	"encoding/base64"
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/caerr"
	"github.com/stride-pki/stride/internal/config"
	"github.com/stride-pki/stride/internal/jose"
)

func TestRenewCopiesAndRecords(t *testing.T) {
	c := newTestCA(t, nil)
	old, _ := c.sign("renew.internal")
	ctx := context.Background()
	iss, err := c.a.Renew(ctx, old.Certificate)
	if err != nil {
		t.Fatal(err)
	}
	n := iss.Certificate
	if n.SerialNumber.Cmp(old.Certificate.SerialNumber) == 0 {
		t.Fatal("same serial")
	}
	if n.Subject.CommonName != "renew.internal" || n.DNSNames[0] != "renew.internal" {
		t.Fatalf("names %v %v", n.Subject, n.DNSNames)
	}
	if got, want := n.NotAfter.Sub(n.NotBefore), old.Certificate.NotAfter.Sub(old.Certificate.NotBefore); got != want {
		t.Fatalf("lifetime %v, want %v", got, want)
	}
	rec, err := c.store.Certificate(ctx, n.SerialNumber.String())
	if err != nil || rec.RenewedFrom != old.Certificate.SerialNumber.String() || rec.Provisioner.Name != "admin" {
		t.Fatalf("record %+v %v", rec, err)
	}
	if len(n.AuthorityKeyId) == 0 || string(n.AuthorityKeyId) != string(c.a.issuer.SubjectKeyId) {
		t.Fatal("authority key id not the issuer's")
	}
}

func TestRekeyUsesNewKey(t *testing.T) {
	c := newTestCA(t, nil)
	old, _ := c.sign("rekey.internal")
	csr, k := c.csr("rekey.internal")
	iss, err := c.a.Rekey(context.Background(), old.Certificate, csr)
	if err != nil {
		t.Fatal(err)
	}
	if !publicKeysMatch(iss.Certificate.PublicKey, k.Public()) {
		t.Fatal("rekeyed certificate does not carry the new key")
	}
	if string(iss.Certificate.SubjectKeyId) == string(old.Certificate.SubjectKeyId) {
		t.Fatal("subject key id copied on rekey")
	}
}

func TestRevokeThenRenewRefused(t *testing.T) {
	c := newTestCA(t, nil)
	ctx := context.Background()
	iss, _ := c.sign("rev.internal")
	serial := iss.Certificate.SerialNumber.String()

	err := c.a.Revoke(ctx, RevokeRequest{Serial: serial, Passive: true, OTT: c.token("12345", nil, "/1.0/revoke", nil)})
	wantErr(t, err, caerr.Forbidden, `the token's subject "12345" is not the serial number "`+serial+`"`)
	if _, err := c.store.Revocation(ctx, serial); err == nil {
		t.Fatal("refused revocation was stored")
	}
	err = c.a.Revoke(ctx, RevokeRequest{Serial: serial, Passive: false, OTT: c.token(serial, nil, "/1.0/revoke", nil)})
	wantErr(t, err, caerr.NotImplemented, "non-passive revocation not implemented")

	hex := "0x" + iss.Certificate.SerialNumber.Text(16)
	if err := c.a.Revoke(ctx, RevokeRequest{Serial: hex, Passive: true, ReasonCode: 1, OTT: c.token(serial, nil, "/1.0/revoke", nil)}); err != nil {
		t.Fatal(err)
	}
	rev, err := c.store.Revocation(ctx, serial)
	if err != nil || rev.ReasonCode != 1 || rev.ExpiresAt.IsZero() || rev.ProvisionerID == "" {
		t.Fatalf("revocation %+v %v", rev, err)
	}
	err = c.a.Revoke(ctx, RevokeRequest{Serial: serial, Passive: true, MTLSCert: iss.Certificate})
	wantErr(t, err, caerr.BadRequest, "certificate with serial number '"+serial+"' is already revoked")
	_, err = c.a.Renew(ctx, iss.Certificate)
	wantErr(t, err, caerr.Unauthorized, "certificate with serial number '"+serial+"' has been revoked")
}

func TestRevokeByMTLS(t *testing.T) {
	c := newTestCA(t, nil)
	iss, _ := c.sign("m.internal")
	other, _ := c.sign("o.internal")
	ctx := context.Background()
	err := c.a.Revoke(ctx, RevokeRequest{Serial: other.Certificate.SerialNumber.String(), Passive: true, MTLSCert: iss.Certificate})
	wantErr(t, err, caerr.Forbidden, "")
	if err := c.a.Revoke(ctx, RevokeRequest{Serial: iss.Certificate.SerialNumber.String(), Passive: true, MTLSCert: iss.Certificate}); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"", "12ab", "0xzz", "-5"} {
		wantErr(t, c.a.Revoke(ctx, RevokeRequest{Serial: bad, Passive: true, MTLSCert: iss.Certificate}), caerr.BadRequest, "")
	}
}

func TestRenewalClaims(t *testing.T) {
	disabled := newTestCA(t, func(p map[string]any, _ *config.Authority) {
		p["claims"] = map[string]any{"disableRenewal": true}
	})
	iss, _ := disabled.sign("d.internal")
	_, err := disabled.a.Renew(context.Background(), iss.Certificate)
	wantErr(t, err, caerr.Unauthorized, "")
}

// TestRenewWithTokenAfterExpiry: an expired certificate renews through the
// x5c bearer token only when the provisioner allows renewal after expiry.
func TestRenewWithTokenAfterExpiry(t *testing.T) {
	for _, allow := range []bool{true, false} {
		c := newTestCA(t, func(p map[string]any, _ *config.Authority) {
			p["claims"] = map[string]any{"allowRenewalAfterExpiry": allow, "minTLSCertDuration": "1s"}
		})
		csr, key := c.csr("exp.internal", "exp.internal")
		iss, err := c.a.Sign(context.Background(), SignRequest{CSR: csr, OTT: c.token("exp.internal", []string{"exp.internal"}, "/1.0/sign", nil),
			NotBefore: "0s", NotAfter: "2s"})
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Until(iss.Certificate.NotAfter) + time.Second) // let it expire
		jwk := &jose.JSONWebKey{Key: key}
		now := time.Now()
		tok, err := jose.SignJWT(jwk, map[string]any{"iss": "step-ca-client/1.0", "sub": "exp.internal", "aud": testURL + "/1.0/renew",
			"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(5 * time.Minute).Unix()},
			map[string]any{"x5cInsecure": []string{base64.StdEncoding.EncodeToString(iss.Certificate.Raw)}})
		if err != nil {
			t.Fatal(err)
		}
		renewed, err := c.a.RenewWithToken(context.Background(), tok)
		if allow {
			if err != nil {
				t.Fatal(err)
			}
			if !renewed.Certificate.NotAfter.After(time.Now()) {
				t.Fatal("renewed certificate is expired too")
			}
			_, err = c.a.RenewWithToken(context.Background(), tok)
			wantErr(t, err, caerr.Unauthorized, "token already used")
		} else {
			wantErr(t, err, caerr.Unauthorized, "")
		}
	}
}
