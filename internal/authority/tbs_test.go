package authority

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"math/big"
	mrand "math/rand/v2"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	zx509 "github.com/zmap/zcrypto/x509"
	"github.com/zmap/zlint/v3"
	"github.com/zmap/zlint/v3/lint"

	"github.com/stride-pki/stride/internal/template"
)

// goTBS is the TBSCertificate x509.CreateCertificate signs for the inputs,
// caught by tbsCapture; err is CreateCertificate's own error when it
// refuses them.
func goTBS(tmpl, parent *x509.Certificate, pub any, key crypto.Signer) ([]byte, error) {
	c := &tbsCapture{key: key}
	_, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, c)
	switch {
	case errors.Is(err, errCaptured):
		return c.tbs, c.err
	case err == nil:
		return nil, errors.New("CreateCertificate did not sign through SignMessage")
	}
	return nil, err
}

// diffTBS compares the fast path with CreateCertificate for one input and
// reports whether the fast path took it. The fast path must produce the
// same bytes or decline; it must decline whatever CreateCertificate
// refuses.
func diffTBS(t testing.TB, tmpl, parent *x509.Certificate, pub any, key crypto.Signer) bool {
	t.Helper()
	got, _, ok := encodeTBS(tmpl, parent, pub, key)
	want, err := goTBS(tmpl, parent, pub, key)
	if err != nil {
		if ok {
			t.Fatalf("CreateCertificate refuses the template (%v) but the fast path encoded it: %x", err, got)
		}
		return false
	}
	if ok && !bytes.Equal(got, want) {
		t.Fatalf("TBS differs:\n got %x\nwant %x", got, want)
	}
	return ok
}

// TestTBSFastPathMatches: for the templates of TestCreateCertificateMatches
// and a table of edge cases, the fast path writes CreateCertificate's
// TBSCertificate byte for byte, or declines where expected.
func TestTBSFastPathMatches(t *testing.T) {
	issuers := testIssuers(t)
	// Existing templates: these four use fields outside the fast path.
	fallback := map[string]bool{"full subject": true, "crl and aia": true,
		"policies and unknown eku": true, "intermediate with constraints": true}
	for _, iss := range issuers {
		for _, tc := range certTemplates(t) {
			t.Run(iss.name+"/"+tc.name, func(t *testing.T) {
				tmpl := *tc.tmpl
				tmpl.SignatureAlgorithm = iss.alg
				// Only each key's default algorithm is in the fast path.
				wantFast := !fallback[tc.name] && iss.alg == 0
				if got := diffTBS(t, &tmpl, iss.cert, tc.pub, iss.key); got != wantFast {
					t.Fatalf("fast path taken: %v, want %v", got, wantFast)
				}
			})
		}
	}
	keys := testSubjectKeys(t)
	for _, iss := range issuers[:5] { // p256 p384 p521 ed25519 rsa, default algorithms
		for _, tc := range edgeTemplates(t) {
			t.Run(iss.name+"/"+tc.name, func(t *testing.T) {
				pub := keys[tc.key]
				parent := iss.cert
				if tc.parent != nil {
					parent = tc.parent(iss)
				}
				if got := diffTBS(t, tc.tmpl, parent, pub, iss.key); got != tc.fast {
					t.Fatalf("fast path taken: %v, want %v", got, tc.fast)
				}
			})
		}
	}
}

// testSubjectKeys: one public key of each type the fast path writes, and a
// P-224 key it leaves to CreateCertificate.
func testSubjectKeys(t testing.TB) map[string]crypto.PublicKey {
	subjectKeysOnce.Do(func() {
		p224, _ := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
		p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
		p521, _ := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
		ed, _, _ := ed25519.GenerateKey(rand.Reader)
		rk, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		subjectKeys = map[string]crypto.PublicKey{"": p256.Public(), "p224": p224.Public(), "p256": p256.Public(),
			"p384": p384.Public(), "p521": p521.Public(), "ed25519": ed, "rsa": rk.Public()}
	})
	return subjectKeys
}

var (
	subjectKeysOnce sync.Once
	subjectKeys     map[string]crypto.PublicKey
)

type edgeTemplate struct {
	name   string
	tmpl   *x509.Certificate
	key    string // in testSubjectKeys; "" is P-256
	parent func(testIssuer) *x509.Certificate
	fast   bool
}

func edgeTemplates(t testing.TB) []edgeTemplate {
	nb := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	base := func() *x509.Certificate {
		return &x509.Certificate{SerialNumber: big.NewInt(0x7f_ff), NotBefore: nb, NotAfter: nb.Add(time.Hour),
			Subject: pkix.Name{CommonName: "edge.example"}, DNSNames: []string{"edge.example"}}
	}
	with := func(f func(c *x509.Certificate)) *x509.Certificate { c := base(); f(c); return c }
	at := func(nb, na time.Time) *x509.Certificate {
		return with(func(c *x509.Certificate) { c.NotBefore, c.NotAfter = nb, na })
	}
	utc := func(y int, mo time.Month, d, h, mi, s, ns int) time.Time {
		return time.Date(y, mo, d, h, mi, s, ns, time.UTC)
	}
	prov := with(func(c *x509.Certificate) {
		if err := template.SetProvisionerExtension(c, template.ProvisionerExtension{
			Type: template.ProvisionerTypeACME, Name: "acme", CredentialID: "x"}); err != nil {
			t.Fatal(err)
		}
	})
	noSKI := func(iss testIssuer) *x509.Certificate { p := *iss.cert; p.SubjectKeyId = nil; return &p }
	unparsed := func(iss testIssuer) *x509.Certificate {
		p := *iss.cert
		p.RawSubject = nil
		p.Subject = pkix.Name{CommonName: "Issuer", Organization: []string{"Stride", "Ägypten"}}
		return &p
	}
	ext := func(oid asn1.ObjectIdentifier, crit bool, v []byte) pkix.Extension {
		return pkix.Extension{Id: oid, Critical: crit, Value: v}
	}
	var out []edgeTemplate
	add := func(name string, fast bool, c *x509.Certificate) {
		out = append(out, edgeTemplate{name: name, tmpl: c, fast: fast})
	}
	add("minimal", true, base())
	add("no extensions", true, with(func(c *x509.Certificate) { c.DNSNames = nil }))
	add("large serial", true, with(func(c *x509.Certificate) {
		c.SerialNumber, _ = new(big.Int).SetString("ff"+strings.Repeat("00", 19), 16)
	}))
	for ku := x509.KeyUsage(1); ku < 1<<9; ku <<= 1 {
		add("key usage bit", true, with(func(c *x509.Certificate) { c.KeyUsage = ku }))
	}
	add("key usage all", true, with(func(c *x509.Certificate) { c.KeyUsage = 1<<9 - 1 }))
	add("key usage decipher only and sign", true, with(func(c *x509.Certificate) { c.KeyUsage = x509.KeyUsageDecipherOnly | x509.KeyUsageDigitalSignature }))
	add("key usage beyond bit 8", false, with(func(c *x509.Certificate) { c.KeyUsage = 1 << 9 }))
	add("every known eku", true, with(func(c *x509.Certificate) {
		for u := x509.ExtKeyUsageAny; u <= x509.ExtKeyUsageMicrosoftKernelCodeSigning; u++ {
			c.ExtKeyUsage = append(c.ExtKeyUsage, u)
		}
	}))
	add("unknown eku value (Go errors)", false, with(func(c *x509.Certificate) { c.ExtKeyUsage = []x509.ExtKeyUsage{99} }))
	add("unknown eku oid", false, with(func(c *x509.Certificate) { c.UnknownExtKeyUsage = []asn1.ObjectIdentifier{{1, 2, 3}} }))
	add("basic constraints leaf", true, with(func(c *x509.Certificate) { c.BasicConstraintsValid = true }))
	add("basic constraints leaf -1", true, with(func(c *x509.Certificate) { c.BasicConstraintsValid, c.MaxPathLen = true, -1 }))
	add("basic constraints leaf with path len (Go errors)", false, with(func(c *x509.Certificate) { c.BasicConstraintsValid, c.MaxPathLen = true, 2 }))
	add("ca with ski", true, with(func(c *x509.Certificate) {
		c.BasicConstraintsValid, c.IsCA, c.SubjectKeyId = true, true, []byte{9, 8, 7}
	}))
	add("ca path len 0", true, with(func(c *x509.Certificate) {
		c.BasicConstraintsValid, c.IsCA, c.MaxPathLenZero, c.SubjectKeyId = true, true, true, []byte{9}
	}))
	add("ca path len 3", true, with(func(c *x509.Certificate) {
		c.BasicConstraintsValid, c.IsCA, c.MaxPathLen, c.SubjectKeyId = true, true, 3, []byte{9}
	}))
	add("ca path len 300", true, with(func(c *x509.Certificate) {
		c.BasicConstraintsValid, c.IsCA, c.MaxPathLen, c.SubjectKeyId = true, true, 300, []byte{9}
	}))
	add("ca without ski", false, with(func(c *x509.Certificate) { c.BasicConstraintsValid, c.IsCA = true, true }))
	add("is ca without basic constraints, with ski", true, with(func(c *x509.Certificate) { c.IsCA, c.SubjectKeyId = true, []byte{1} }))
	add("template aki ignored for parent's", true, with(func(c *x509.Certificate) { c.AuthorityKeyId = []byte{1, 2} }))
	out = append(out,
		edgeTemplate{name: "issuer without ski, template aki", tmpl: with(func(c *x509.Certificate) { c.AuthorityKeyId = []byte{1, 2} }), parent: noSKI, fast: true},
		edgeTemplate{name: "issuer without ski", tmpl: base(), parent: noSKI, fast: true},
		edgeTemplate{name: "issuer subject encoded", tmpl: base(), parent: unparsed, fast: true},
		edgeTemplate{name: "self-issued: template aki kept", tmpl: with(func(c *x509.Certificate) {
			c.Subject = pkix.Name{CommonName: "Issuer", Organization: []string{"Stride", "Ägypten"}}
			c.AuthorityKeyId = []byte{3, 3}
		}), parent: unparsed, fast: true},
		edgeTemplate{name: "issuer key mismatch (Go errors)", tmpl: base(), parent: func(iss testIssuer) *x509.Certificate {
			p := *iss.cert
			p.PublicKey = testSubjectKeys(t)["p384"]
			return &p
		}, fast: false},
	)
	add("empty subject: critical san", true, with(func(c *x509.Certificate) { c.Subject = pkix.Name{} }))
	add("empty subject, no san", true, with(func(c *x509.Certificate) { c.Subject, c.DNSNames = pkix.Name{}, nil }))
	add("raw subject", true, with(func(c *x509.Certificate) { c.RawSubject = []byte{0x30, 0x03, 0x31, 0x01, 0x00} }))
	add("raw empty subject", true, with(func(c *x509.Certificate) { c.RawSubject = []byte{0x30, 0x00} }))
	add("raw subject beside extra names", true, with(func(c *x509.Certificate) {
		c.RawSubject = []byte{0x30, 0}
		c.Subject.ExtraNames = []pkix.AttributeTypeAndValue{{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: "x"}}
	}))
	add("extra names", false, with(func(c *x509.Certificate) {
		c.Subject.ExtraNames = []pkix.AttributeTypeAndValue{{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: "x"}}
	}))
	add("full subject, multi-valued rdns", true, with(func(c *x509.Certificate) {
		c.Subject = pkix.Name{CommonName: "cn", SerialNumber: "s/n 1", Country: []string{"US", "NL", "DE"},
			Organization: []string{"Zeta", "alpha", "Beta Co.", "ß"}, OrganizationalUnit: []string{"unit two", "unit one", "a longer unit name"},
			Locality: []string{"L"}, Province: []string{"P1", "P0"}, StreetAddress: []string{"1 Main St."}, PostalCode: []string{"1234 AB", ""}}
	}))
	add("subject string types", true, with(func(c *x509.Certificate) {
		c.Subject = pkix.Name{CommonName: "*.wild.example", Organization: []string{"A & B", "plain (ok) 'x' +,-./:=?", "tab\there", "new\nline", "日本語", "émigré"},
			OrganizationalUnit: []string{"under_score", "at@sign", "semi;colon", "bang!", "~tilde", `back\slash`, "quote\"d", "#hash", "%pct", "<lt>", "x\x00nul", "\x7f"}}
	}))
	add("subject invalid utf-8 (Go errors)", false, with(func(c *x509.Certificate) { c.Subject.CommonName = "bad\xff" }))
	add("all san kinds", true, with(func(c *x509.Certificate) {
		c.DNSNames = []string{"a.example", "*.b.example", ""}
		c.EmailAddresses = []string{"a@example.com", "b@example.org"}
		c.IPAddresses = []net.IP{net.ParseIP("192.0.2.1"), net.ParseIP("2001:db8::1"), net.ParseIP("::ffff:198.51.100.7"), net.IP{10, 0, 0, 1}, net.ParseIP("::")}
		u1, _ := url.Parse("spiffe://example.org/ns/x/sa/y")
		u2, _ := url.Parse("https://user@host.example:8443/p?q=1#f")
		c.URIs = []*url.URL{u1, u2}
	}))
	add("only ip sans", true, with(func(c *x509.Certificate) { c.DNSNames, c.IPAddresses = nil, []net.IP{net.ParseIP("10.1.2.3")} }))
	add("odd-length ip", false, with(func(c *x509.Certificate) { c.IPAddresses = []net.IP{{1, 2, 3}} }))
	add("non-ascii dns (Go errors)", false, with(func(c *x509.Certificate) { c.DNSNames = []string{"bücher.example"} }))
	add("non-ascii email (Go errors)", false, with(func(c *x509.Certificate) { c.EmailAddresses = []string{"ü@example.com"} }))
	add("non-ascii uri (Go errors)", false, with(func(c *x509.Certificate) { c.URIs = []*url.URL{{Scheme: "urn", Opaque: "ü"}} }))
	add("provisioner extension", true, prov)
	add("extra extension overrides san", true, with(func(c *x509.Certificate) {
		c.ExtraExtensions = []pkix.Extension{ext(asn1.ObjectIdentifier{2, 5, 29, 17}, false, []byte{0x30, 0x03, 0x82, 0x01, 'x'})}
	}))
	add("extra extensions override ku, eku, bc, ski, aki", true, with(func(c *x509.Certificate) {
		c.KeyUsage, c.ExtKeyUsage, c.BasicConstraintsValid, c.SubjectKeyId = x509.KeyUsageDigitalSignature, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, true, []byte{1}
		for _, n := range []int{15, 37, 19, 14, 35} {
			c.ExtraExtensions = append(c.ExtraExtensions, ext(asn1.ObjectIdentifier{2, 5, 29, n}, n == 19, []byte{5, 0}))
		}
	}))
	add("extra extensions, nil value, big arcs", true, with(func(c *x509.Certificate) {
		c.ExtraExtensions = []pkix.Extension{ext(asn1.ObjectIdentifier{2, 999, 1 << 30}, true, nil), ext(asn1.ObjectIdentifier{1, 39}, false, bytes.Repeat([]byte{7}, 300))}
	}))
	add("extra extension invalid oid (Go errors)", false, with(func(c *x509.Certificate) {
		c.ExtraExtensions = []pkix.Extension{ext(asn1.ObjectIdentifier{1, 40}, false, nil)}
	}))
	add("extra extension one-arc oid (Go errors)", false, with(func(c *x509.Certificate) {
		c.ExtraExtensions = []pkix.Extension{ext(asn1.ObjectIdentifier{1}, false, nil)}
	}))
	add("2049/2050", true, at(utc(2049, 12, 31, 23, 59, 59, 999999999), utc(2050, 1, 1, 0, 0, 0, 0)))
	add("1950/1949", true, at(utc(1949, 12, 31, 23, 59, 59, 0), utc(1950, 1, 1, 0, 0, 0, 0)))
	add("zone turns 2049 into 2050 utc", true, at(time.Date(2049, 12, 31, 20, 0, 0, 0, time.FixedZone("x", -5*3600)), time.Date(2050, 1, 1, 3, 0, 0, 0, time.FixedZone("y", 5*3600))))
	add("year 0 and 9999", true, at(time.Time{}, utc(9999, 12, 31, 23, 59, 59, 0)))
	add("year 10000 (Go errors)", false, at(nb, utc(10000, 1, 1, 0, 0, 0, 0)))
	add("negative year (Go errors)", false, at(utc(-1, 1, 1, 0, 0, 0, 0), nb))
	add("nil serial", false, with(func(c *x509.Certificate) { c.SerialNumber = nil }))
	add("zero serial", false, with(func(c *x509.Certificate) { c.SerialNumber = big.NewInt(0) }))
	add("negative serial (Go errors)", false, with(func(c *x509.Certificate) { c.SerialNumber = big.NewInt(-5) }))
	add("ocsp", false, with(func(c *x509.Certificate) { c.OCSPServer = []string{"http://o"} }))
	add("policies", false, with(func(c *x509.Certificate) { c.Policies = []x509.OID{mustOID(t, "1.2.3")} }))
	add("name constraints", false, with(func(c *x509.Certificate) { c.ExcludedDNSDomains = []string{"x"} }))
	for _, k := range []string{"p256", "p384", "p521", "ed25519", "rsa"} {
		out = append(out, edgeTemplate{name: "subject key " + k, tmpl: base(), key: k, fast: true})
	}
	out = append(out, edgeTemplate{name: "subject key p224", tmpl: base(), key: "p224", fast: false})
	return out
}

func mustOID(t testing.TB, s string) x509.OID {
	o, err := x509.ParseOID(s)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// TestTBSFastPathRandom: randomized templates through both paths.
func TestTBSFastPathRandom(t *testing.T) {
	issuers := testIssuers(t)[:5]
	keys := testSubjectKeys(t)
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed) // shown on failure, to replay the draw
	r := mrand.New(mrand.NewPCG(seed, 1))
	fast := 0
	const n = 600
	for i := range n {
		iss := issuers[i%len(issuers)]
		tmpl, key := randomTemplate(r, keys)
		if diffTBS(t, tmpl, iss.cert, key, iss.key) {
			fast++
		}
	}
	if fast < n/4 {
		t.Fatalf("the fast path took only %d of %d random templates", fast, n)
	}
	t.Logf("fast path: %d of %d", fast, n)
}

// FuzzTBSFastPath feeds fuzzer-chosen strings and a seed for the remaining
// template parameters through the fast path and CreateCertificate.
func FuzzTBSFastPath(f *testing.F) {
	f.Add(uint64(1), "host.example", "a.example", "ops@example.com", "O", uint16(5), int64(0))
	f.Add(uint64(2), "日本", "*.x", "", "A&B", uint16(0x1ff), int64(2524608000))
	f.Add(uint64(3), "", "bad\xff", "x", "\x00", uint16(0), int64(-631152000))
	f.Fuzz(func(t *testing.T, seed uint64, cn, dns, email, org string, ku uint16, unix int64) {
		issuers := fuzzIssuers(t)
		keys := testSubjectKeys(t)
		r := mrand.New(mrand.NewPCG(seed, 2))
		tmpl, key := randomTemplate(r, keys)
		tmpl.Subject.CommonName = cn
		tmpl.DNSNames = append(tmpl.DNSNames, dns)
		if email != "" {
			tmpl.EmailAddresses = append(tmpl.EmailAddresses, email)
		}
		tmpl.Subject.Organization = append(tmpl.Subject.Organization, org)
		tmpl.KeyUsage = x509.KeyUsage(ku)
		if r.IntN(2) == 0 {
			tmpl.NotAfter = time.Unix(unix, 0)
		}
		iss := issuers[seed%uint64(len(issuers))]
		diffTBS(t, tmpl, iss.cert, key, iss.key)
	})
}

var (
	fuzzIssuersOnce sync.Once
	fuzzIssuerList  []testIssuer
)

func fuzzIssuers(t *testing.T) []testIssuer {
	fuzzIssuersOnce.Do(func() { fuzzIssuerList = testIssuers(t)[:5] })
	return fuzzIssuerList
}

// randomTemplate draws a template mostly inside the fast path, with now
// and then something that is not (or that CreateCertificate refuses).
func randomTemplate(r *mrand.Rand, keys map[string]crypto.PublicKey) (*x509.Certificate, crypto.PublicKey) {
	pick := func(n int) int { return r.IntN(n) }
	strs := func(max int, gen func() string) []string {
		var s []string
		for range pick(max + 1) {
			s = append(s, gen())
		}
		return s
	}
	sb := make([]byte, 1+pick(20))
	for i := range sb {
		sb[i] = byte(pick(256))
	}
	serial := new(big.Int).SetBytes(sb)
	serial.Add(serial, big.NewInt(1))
	years := []int{1949, 1950, 1999, 2000, 2026, 2049, 2050, 2051, 9999}
	tm := func() time.Time {
		t := time.Date(years[pick(len(years))], time.Month(1+pick(12)), 1+pick(28), pick(24), pick(60), pick(60), pick(1e9), time.UTC)
		if pick(4) == 0 {
			t = t.In(time.FixedZone("z", (pick(27)-13)*3600))
		}
		return t
	}
	c := &x509.Certificate{
		SerialNumber: serial, NotBefore: tm(), NotAfter: tm(),
		Subject: pkix.Name{CommonName: randString(r, 0), Country: strs(2, func() string { return randString(r, 3) }),
			Organization:       strs(3, func() string { return randString(r, 0) }),
			OrganizationalUnit: strs(3, func() string { return randString(r, 0) }),
			Locality:           strs(1, func() string { return randString(r, 0) }),
			Province:           strs(1, func() string { return randString(r, 0) }),
			StreetAddress:      strs(1, func() string { return randString(r, 0) }),
			PostalCode:         strs(1, func() string { return randString(r, 0) }),
		},
		DNSNames:       strs(5, func() string { return randIA5(r) }),
		EmailAddresses: strs(5, func() string { return randIA5(r) + "@example.com" }),
		KeyUsage:       x509.KeyUsage(pick(1 << 9)),
	}
	if pick(3) == 0 {
		c.Subject.SerialNumber = randString(r, 0)
	}
	if pick(5) == 0 {
		c.Subject = pkix.Name{}
	}
	for range pick(6) {
		switch pick(3) {
		case 0:
			c.IPAddresses = append(c.IPAddresses, net.IPv4(byte(pick(256)), byte(pick(256)), byte(pick(256)), byte(pick(256))))
		case 1:
			ip := make(net.IP, 16)
			for i := range ip {
				ip[i] = byte(pick(256))
			}
			c.IPAddresses = append(c.IPAddresses, ip)
		default:
			c.IPAddresses = append(c.IPAddresses, net.IP{byte(pick(256)), 2, 3, 4})
		}
	}
	for range pick(6) {
		c.URIs = append(c.URIs, &url.URL{Scheme: "spiffe", Host: randIA5(r), Path: "/" + randIA5(r)})
	}
	for range pick(4) {
		c.ExtKeyUsage = append(c.ExtKeyUsage, x509.ExtKeyUsage(pick(14)))
	}
	if pick(40) == 0 {
		c.ExtKeyUsage = append(c.ExtKeyUsage, 14) // unknown: Go errors
	}
	if pick(2) == 0 {
		c.SubjectKeyId = []byte(randIA5(r) + "k")
	}
	if pick(2) == 0 {
		c.AuthorityKeyId = []byte("a")
	}
	if pick(2) == 0 {
		c.BasicConstraintsValid = true
		c.IsCA = pick(3) == 0
		c.MaxPathLen = pick(4) - 1
		c.MaxPathLenZero = pick(2) == 0
	}
	if pick(3) == 0 {
		template.SetProvisionerExtension(c, template.ProvisionerExtension{
			Type: template.ProvisionerType(pick(8)), Name: randString(r, 0), CredentialID: randIA5(r)})
	}
	extOIDs := []asn1.ObjectIdentifier{{2, 5, 29, 14}, {2, 5, 29, 15}, {2, 5, 29, 17}, {2, 5, 29, 19}, {2, 5, 29, 35},
		{2, 5, 29, 37}, {1, 3, 6, 1, 4, 1, 99999, 1}, {2, 999, 3}, {1, 39, 5}}
	for range pick(3) {
		c.ExtraExtensions = append(c.ExtraExtensions, pkix.Extension{Id: extOIDs[pick(len(extOIDs))], Critical: pick(2) == 0, Value: []byte(randIA5(r))})
	}
	switch pick(30) { // outside the fast path now and then
	case 0:
		c.Subject.ExtraNames = []pkix.AttributeTypeAndValue{{Type: asn1.ObjectIdentifier{2, 5, 4, 42}, Value: "g"}}
	case 1:
		c.OCSPServer = []string{"http://ocsp.example"}
	case 2:
		c.RawSubject = []byte{0x30, 0}
	case 3:
		c.SerialNumber = nil
	}
	kinds := []string{"p256", "p384", "p521", "ed25519", "rsa", "p224"}
	return c, keys[kinds[pick(len(kinds))]]
}

// randString mixes PrintableString characters with those that force a
// UTF8String (and, rarely, bytes that are not UTF-8); n > 0 fixes the
// length in runes.
func randString(r *mrand.Rand, n int) string {
	parts := []string{"a", "Z", "0", " ", "'", "(", ")", "+", ",", "-", ".", "/", ":", "=", "?",
		"*", "&", "_", "@", "é", "日", "\t", "\x00", "~", "\x7f"}
	if n == 0 {
		n = r.IntN(12)
	}
	var b strings.Builder
	for range n {
		if r.IntN(200) == 0 {
			b.WriteByte(0xff)
			continue
		}
		if r.IntN(3) == 0 {
			b.WriteString(parts[r.IntN(len(parts))])
		} else {
			b.WriteByte(byte('a' + r.IntN(26)))
		}
	}
	return b.String()
}

// randIA5 is a mostly ASCII name; one in fifty carries a non-ASCII
// character, which CreateCertificate refuses.
func randIA5(r *mrand.Rand) string {
	var b strings.Builder
	for range 1 + r.IntN(10) {
		b.WriteByte(byte(0x21 + r.IntN(0x5e)))
	}
	if r.IntN(50) == 0 {
		b.WriteString("ü")
	}
	return b.String()
}

// TestTBSFastPathIssues: a certificate the authority issues for a CSR goes
// through the fast path, parses, verifies against the intermediate and is
// clean under zlint's RFC and community lints (the sources `stride
// certificate lint` runs by default).
func TestTBSFastPathIssues(t *testing.T) {
	c := newTestCA(t, nil)
	before := fastTBSCount.Load()
	iss, _ := c.sign("fast.internal")
	if fastTBSCount.Load() != before+1 {
		t.Fatal("the certificate was not signed through the TBS fast path")
	}
	der := iss.Certificate.Raw
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(iss.Intermediates[0])
	if _, err := cert.Verify(x509.VerifyOptions{Roots: roots, DNSName: "fast.internal",
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		t.Fatal(err)
	}
	reg, err := lint.GlobalRegistry().Filter(lint.FilterOptions{IncludeSources: lint.SourceList{
		lint.RFC5280, lint.RFC3279, lint.RFC5480, lint.RFC5891, lint.RFC8813, lint.Community}})
	if err != nil {
		t.Fatal(err)
	}
	zc, err := zx509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	rs := zlint.LintCertificateEx(zc, reg)
	for name, r := range rs.Results {
		if r.Status == lint.Error || r.Status == lint.Fatal {
			t.Errorf("zlint %s: %v %s", name, r.Status, r.Details)
		}
	}
}

// BenchmarkEncodeTBS: the fast path's TBSCertificate alone, for the leaf of
// BenchmarkCreateCertificate with a provisioner extension, key identifiers
// and usages added (the shape POST /sign issues).
func BenchmarkEncodeTBS(b *testing.B) {
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "CA"}, SubjectKeyId: []byte{1, 2, 3},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, _ := x509.CreateCertificate(rand.Reader, ca, ca, p256.Public(), p256)
	ca, _ = x509.ParseCertificate(der)
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "leaf"},
		DNSNames: []string{"leaf.example"}, NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		SubjectKeyId: []byte("0123456789abcdefghij")}
	if err := template.SetProvisionerExtension(leaf, template.ProvisionerExtension{Type: template.ProvisionerTypeJWK, Name: "bench", CredentialID: "kid"}); err != nil {
		b.Fatal(err)
	}
	b.Run("fast", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, ok := encodeTBS(leaf, ca, p256.Public(), p256); !ok {
				b.Fatal("not eligible")
			}
		}
	})
	b.Run("go-with-signature", func(b *testing.B) { // CreateCertificate up to its signature, included
		b.ReportAllocs()
		for b.Loop() {
			if _, err := goTBS(leaf, ca, p256.Public(), p256); err != nil {
				b.Fatal(err)
			}
		}
	})
}
