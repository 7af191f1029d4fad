package server

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestReadAlternateChains: "acmeAlternateChains" files are read relative
// to $STRIDEPATH, in order, several certificates per file allowed; a
// missing file names the chain.
func TestReadAlternateChains(t *testing.T) {
	dir := t.TempDir()
	var ders [][]byte
	for i := range 3 {
		k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(int64(i + 1)), Subject: pkix.Name{CommonName: "c" + string(rune('0'+i))},
			NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
		der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, k.Public(), k)
		ders = append(ders, der)
	}
	write := func(name string, certs ...[]byte) {
		var b []byte
		for _, d := range certs {
			b = append(b, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: d})...)
		}
		os.WriteFile(filepath.Join(dir, name), b, 0o600)
	}
	write("cross.crt", ders[0])
	write("roots.crt", ders[1], ders[2])
	resolve := func(p string) string { return filepath.Join(dir, p) }
	chains, err := readAlternateChains([][]string{{"cross.crt", "roots.crt"}, {"roots.crt"}}, resolve)
	if err != nil || len(chains) != 2 || len(chains[0]) != 3 || len(chains[1]) != 2 {
		t.Fatalf("%v %v", chains, err)
	}
	if chains[0][0].Subject.CommonName != "c0" || chains[0][2].Subject.CommonName != "c2" {
		t.Fatal("certificates out of order")
	}
	if _, err := readAlternateChains([][]string{{"cross.crt"}, {"missing.crt"}}, resolve); err == nil ||
		!strings.Contains(err.Error(), "acmeAlternateChains[1]") {
		t.Fatalf("missing file: %v", err)
	}
}
