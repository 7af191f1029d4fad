package load

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"math/big"
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/jose"
	"github.com/stride-pki/stride/internal/keys"
	"github.com/stride-pki/stride/internal/pemutil"
)

func TestPercentile(t *testing.T) {
	ten := []time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i + 1)
	}
	tests := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one value", []time.Duration{7}, 99, 7},
		{"median of ten", ten, 50, 5},
		{"p90 of ten", ten, 90, 9},
		{"p99 of ten is the max", ten, 99, 10},
		{"p0 is the min", ten, 0, 1},
		{"p99 of a hundred", hundred, 99, 99},
		{"p99.9 of a hundred", hundred, 99.9, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Percentile(tt.sorted, tt.p); got != tt.want {
				t.Errorf("Percentile(p%v) = %v, want %v", tt.p, got, tt.want)
			}
		})
	}
}

func TestSummarizeDoesNotReorderInput(t *testing.T) {
	lat := []time.Duration{30, 10, 20}
	l := Summarize(lat)
	if l.P50 != 20 || l.Max != 30 || lat[0] != 30 {
		t.Errorf("Summarize = %+v, input now %v", l, lat)
	}
}

func TestParseProc(t *testing.T) {
	stat := []byte("4242 (step ca (x)) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 75 0 0 20 0 12 0 100 0 0\n")
	cpu, err := parseStatCPU(stat)
	if err != nil || cpu != 3250*time.Millisecond {
		t.Errorf("parseStatCPU = %v, %v; want 3.25s", cpu, err)
	}
	status := []byte("Name:\tstep-ca\nVmHWM:\t  200 kB\nVmRSS:\t  123 kB\n")
	rss, err := parseStatusKB(status, "VmRSS")
	if err != nil || rss != 123*1024 {
		t.Errorf("VmRSS = %d, %v", rss, err)
	}
	if _, err := parseStatusKB(status, "VmSwap"); err == nil {
		t.Error("a missing field parsed")
	}
	busy, err := parseMachineCPU([]byte("cpu  100 5 50 9000 300 1 2 3 0 0\ncpu0 1 2 3 4 5 6 7 8 9 10\n"))
	if err != nil || busy != 1610*time.Millisecond {
		t.Errorf("parseMachineCPU = %v, %v; want 1.61s", busy, err)
	}
	if _, err := ProcCPU("self"); err != nil {
		t.Errorf("ProcCPU(self): %v", err)
	}
}

func testIssuer(t *testing.T) (*Issuer, *jose.JSONWebKey) {
	t.Helper()
	signer, err := keys.Generate("EC", "P-256", 0)
	if err != nil {
		t.Fatal(err)
	}
	jwk, err := jose.NewJWK(signer)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "root"},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, signer.Public(), signer)
	if err != nil {
		t.Fatal(err)
	}
	root, _ := x509.ParseCertificate(der)
	return &Issuer{CAURL: "https://127.0.0.1:9000", Provisioner: "bench", Key: jwk, Root: root}, jose.Public(jwk)
}

func TestMintedTokenClaims(t *testing.T) {
	is, pub := testIssuer(t)
	reqs, err := is.Mint(context.Background(), "p", 2)
	if err != nil {
		t.Fatal(err)
	}
	jtis := map[string]bool{}
	for i, r := range reqs {
		var body struct{ CSR, OTT string }
		if err := json.Unmarshal(r.Body, &body); err != nil {
			t.Fatal(err)
		}
		hdr, claims, err := jose.VerifyJWT(body.OTT, pub, jose.Expected{Issuer: "bench", Subject: r.Name,
			Audience: []string{"https://127.0.0.1:9000/1.0/sign"}, Time: time.Now().Add(50 * time.Minute)})
		if err != nil {
			t.Fatalf("token %d: %v", i, err)
		}
		if hdr["kid"] != is.Key.KeyID || hdr["alg"] != "ES256" || hdr["typ"] != "JWT" {
			t.Errorf("header = %v", hdr)
		}
		if _, isString := claims["aud"].(string); !isString {
			t.Errorf("aud is %T, want a single string", claims["aud"])
		}
		sans, _ := claims["sans"].([]any)
		jti, _ := claims["jti"].(string)
		if len(sans) != 1 || sans[0] != r.Name || len(jti) != 64 || jtis[jti] || claims["sha"] != is.RootSHA() {
			t.Errorf("claims = %v", claims)
		}
		jtis[jti] = true
		csr, err := pemutil.ParseCSR([]byte(body.CSR))
		if err != nil || csr.Subject.CommonName != r.Name || len(csr.DNSNames) != 1 || csr.DNSNames[0] != r.Name {
			t.Errorf("CSR %d: %v %+v", i, err, csr)
		}
	}
}

func TestCheckOutcome(t *testing.T) {
	is, _ := testIssuer(t)
	reqs, err := is.Mint(context.Background(), "chk", 2)
	if err != nil {
		t.Fatal(err)
	}
	crt := func(r Request) []byte {
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), DNSNames: []string{r.Name},
			NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
		signer, _ := jose.Signer(is.Key)
		der, err := x509.CreateCertificate(rand.Reader, tmpl, is.Root, r.Pub, signer)
		if err != nil {
			t.Fatal(err)
		}
		c, _ := x509.ParseCertificate(der)
		b, _ := json.Marshal(signResponse{Crt: string(pemutil.EncodeCertificates(c))})
		return b
	}
	tests := []struct {
		name string
		o    outcome
		ok   bool
	}{
		{"201 with the CSR's key", outcome{status: 201, body: crt(reqs[0])}, true},
		{"another key", outcome{status: 201, body: crt(reqs[1])}, false},
		{"401", outcome{status: 401, body: []byte(`{"status":401}`)}, false},
		{"not JSON", outcome{status: 201, body: []byte("x")}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := check(tt.o, reqs[0]); (err == nil) != tt.ok {
				t.Errorf("check = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestCheckLoopback(t *testing.T) {
	for u, ok := range map[string]bool{
		"https://127.0.0.1:9000": true, "https://localhost:1": true, "https://[::1]:443": true,
		"http://127.0.0.1:9000": false, "https://10.0.0.1:9000": false, "https://example.com": false,
	} {
		if err := CheckLoopback(u); (err == nil) != ok {
			t.Errorf("CheckLoopback(%q) = %v, want ok=%v", u, err, ok)
		}
	}
}
