package validation

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/validation/dnstest"
)

// alpnCert describes the challenge certificate a test responder presents.
type alpnCert struct {
	dns   []string
	ips   []string
	exts  []pkix.Extension // replaces the default, correct acmeIdentifier
	noExt bool             // no acmeIdentifier at all
}

func acmeExt(keyAuth string, critical bool) pkix.Extension {
	sum := sha256.Sum256([]byte(keyAuth))
	v, _ := asn1.Marshal(sum[:])
	return pkix.Extension{Id: oidACMEIdentifier, Critical: critical, Value: v}
}

func makeALPNCert(t *testing.T, c alpnCert) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "acme challenge"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		DNSNames:     c.dns,
	}
	for _, ip := range c.ips {
		tmpl.IPAddresses = append(tmpl.IPAddresses, net.ParseIP(ip))
	}
	switch {
	case c.exts != nil:
		tmpl.ExtraExtensions = c.exts
	case !c.noExt:
		tmpl.ExtraExtensions = []pkix.Extension{acmeExt(testKeyAuth, true)}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// alpnServer is a TLS responder on loopback; it records the SNI it saw.
type alpnServer struct {
	port int
	mu   sync.Mutex
	sni  string
}

func startALPNServer(t *testing.T, cert tls.Certificate, alpn bool, maxVersion uint16) *alpnServer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return serveALPN(t, l, cert, alpn, maxVersion)
}

func serveALPN(t *testing.T, l net.Listener, cert tls.Certificate, alpn bool, maxVersion uint16) *alpnServer {
	t.Helper()
	s := &alpnServer{port: portOfAddr(t, l.Addr().String())}
	cfg := &tls.Config{
		MinVersion: tls.VersionTLS10,
		MaxVersion: maxVersion,
		GetCertificate: func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
			s.mu.Lock()
			s.sni = hello.ServerName
			s.mu.Unlock()
			return &cert, nil
		},
	}
	if alpn {
		cfg.NextProtos = []string{ALPNProto}
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { l.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			tc := tls.Server(c, cfg)
			tc.SetDeadline(time.Now().Add(5 * time.Second))
			tc.Handshake()
			tc.Close()
		}
	}()
	return s
}

func (s *alpnServer) gotSNI() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sni
}

// otherNameSAN is a subjectAltName extension with the expected dNSName and
// an otherName that crypto/x509 does not expose.
func otherNameSAN(dns string) pkix.Extension {
	otherValue := mustDER(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: mustDER("x")})
	other := mustDER(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true,
		Bytes: append(mustDER(asn1.ObjectIdentifier{1, 2, 3}), otherValue...)})
	name := mustDER(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 2, Bytes: []byte(dns)})
	v := mustDER(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true,
		Bytes: append(name, other...)})
	return pkix.Extension{Id: oidSubjectAltName, Value: v}
}

func mustDER(v any) []byte {
	b, err := asn1.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

const alpnName = "example.test"

var (
	rawDigest   = sha256.Sum256([]byte(testKeyAuth))
	wrongDigest = mustDER(make([]byte, 32))
	shortDigest = mustDER(rawDigest[:31])
)

// tlsALPNTest is one tls-alpn-01 case: the responder's certificate and
// settings, and the verdict for the identifier (dns example.test unless set).
type tlsALPNTest struct {
	name       string
	identType  string
	value      string
	cert       alpnCert
	noALPN     bool
	maxVersion uint16
	wantSNI    string
	wantType   string
	wantDetail string
}

var tlsALPNTests = []tlsALPNTest{
	{name: "ok dns", cert: alpnCert{dns: []string{alpnName}}, wantSNI: alpnName},
	{name: "ok dns case-insensitive", cert: alpnCert{dns: []string{"EXAMPLE.test"}}},
	{name: "ok ipv4 with reverse SNI", identType: "ip", value: "127.0.0.1",
		cert: alpnCert{ips: []string{"127.0.0.1"}}, wantSNI: "1.0.0.127.in-addr.arpa"},
	{name: "no ALPN", cert: alpnCert{dns: []string{alpnName}}, noALPN: true, wantType: "tls", wantDetail: "acme-tls/1"},
	{name: "TLS 1.1 refused", cert: alpnCert{dns: []string{alpnName}}, maxVersion: tls.VersionTLS11, wantType: "tls"},
	{name: "two SANs", cert: alpnCert{dns: []string{alpnName, "other.test"}}, wantType: "incorrectResponse",
		wantDetail: "exactly one"},
	{name: "dns and ip SANs", cert: alpnCert{dns: []string{alpnName}, ips: []string{"127.0.0.1"}},
		wantType: "incorrectResponse", wantDetail: "exactly one"},
	{name: "hidden otherName SAN", cert: alpnCert{exts: []pkix.Extension{otherNameSAN(alpnName), acmeExt(testKeyAuth, true)}},
		wantType: "incorrectResponse", wantDetail: "exactly one"},
	{name: "no SAN", cert: alpnCert{}, wantType: "incorrectResponse"},
	{name: "wrong SAN", cert: alpnCert{dns: []string{"other.test"}}, wantType: "incorrectResponse",
		wantDetail: "not the DNS name"},
	{name: "ip identifier, dns SAN", identType: "ip", value: "127.0.0.1", cert: alpnCert{dns: []string{alpnName}},
		wantType: "incorrectResponse"},
	{name: "ip identifier, wrong ip", identType: "ip", value: "127.0.0.1", cert: alpnCert{ips: []string{"127.0.0.2"}},
		wantType: "incorrectResponse"},
	{name: "missing extension", cert: alpnCert{dns: []string{alpnName}, noExt: true}, wantType: "incorrectResponse",
		wantDetail: "no acmeIdentifier"},
	{name: "noncritical extension", cert: alpnCert{dns: []string{alpnName}, exts: []pkix.Extension{acmeExt(testKeyAuth, false)}},
		wantType: "incorrectResponse", wantDetail: "not critical"},
	{name: "wrong digest", cert: alpnCert{dns: []string{alpnName}, exts: []pkix.Extension{
		{Id: oidACMEIdentifier, Critical: true, Value: wrongDigest}}}, wantType: "incorrectResponse", wantDetail: "does not match"},
	{name: "31-byte digest", cert: alpnCert{dns: []string{alpnName}, exts: []pkix.Extension{
		{Id: oidACMEIdentifier, Critical: true, Value: shortDigest}}}, wantType: "incorrectResponse"},
	{name: "digest not an OCTET STRING", cert: alpnCert{dns: []string{alpnName}, exts: []pkix.Extension{
		{Id: oidACMEIdentifier, Critical: true, Value: rawDigest[:]}}}, wantType: "incorrectResponse", wantDetail: "OCTET STRING"},
	{name: "obsolete OID", cert: alpnCert{dns: []string{alpnName}, exts: []pkix.Extension{
		{Id: oidACMEIdentifierV1, Critical: true, Value: rawDigest[:]}}}, wantType: "incorrectResponse", wantDetail: "obsolete"},
	{name: "obsolete OID next to the right one", cert: alpnCert{dns: []string{alpnName}, exts: []pkix.Extension{
		acmeExt(testKeyAuth, true), {Id: oidACMEIdentifierV1, Critical: true, Value: rawDigest[:]}}},
		wantType: "incorrectResponse", wantDetail: "obsolete"},
	// Go's x509 parser refuses a certificate with a repeated extension, so
	// the handshake fails before the extension is looked at.
	{name: "acmeIdentifier twice", cert: alpnCert{dns: []string{alpnName}, exts: []pkix.Extension{
		acmeExt(testKeyAuth, true), acmeExt(testKeyAuth, true)}}, wantType: "tls"},
}

func TestTLSALPN01(t *testing.T) {
	dns := dnstest.Start(t)
	for _, tc := range tlsALPNTests {
		t.Run(tc.name, func(t *testing.T) {
			srv := startALPNServer(t, makeALPNCert(t, tc.cert), !tc.noALPN, tc.maxVersion)
			identType, value := tc.identType, tc.value
			if identType == "" {
				identType, value = "dns", alpnName
			}
			v := New(Config{Resolver: dns.Addr(), TLSPort: srv.port, Timeout: 5 * time.Second})
			err := v.TLSALPN01(context.Background(), identType, value, testKeyAuth)
			wantErr(t, err, tc.wantType, false, tc.wantDetail)
			if tc.wantSNI != "" && srv.gotSNI() != tc.wantSNI {
				t.Fatalf("SNI = %q, want %q", srv.gotSNI(), tc.wantSNI)
			}
		})
	}
}

func TestTLSALPN01ConnectionRefused(t *testing.T) {
	dns := dnstest.Start(t)
	v := New(Config{Resolver: dns.Addr(), TLSPort: closedPort(t), Timeout: 5 * time.Second})
	err := v.TLSALPN01(context.Background(), "dns", "example.test", testKeyAuth)
	wantErr(t, err, "connection", true, "refused")
}

func TestTLSALPN01Timeout(t *testing.T) {
	// A listener that never answers the handshake.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	v := New(Config{TLSPort: portOfAddr(t, l.Addr().String()), Timeout: 300 * time.Millisecond})
	err = v.TLSALPN01(context.Background(), "ip", "127.0.0.1", testKeyAuth)
	wantErr(t, err, "connection", true, "timeout")
}

func TestTLSALPN01IPv6(t *testing.T) {
	l, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Fatal("this test needs an IPv6 loopback (::1):", err)
	}
	srv := serveALPN(t, l, makeALPNCert(t, alpnCert{ips: []string{"::1"}}), true, 0)
	v := New(Config{TLSPort: srv.port, Timeout: 5 * time.Second})
	if err := v.TLSALPN01(context.Background(), "ip", "::1", testKeyAuth); err != nil {
		t.Fatal(err)
	}
	if want := "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa"; srv.gotSNI() != want {
		t.Fatalf("SNI = %q, want %q", srv.gotSNI(), want)
	}
}

func TestReverseName(t *testing.T) {
	tests := map[string]string{
		"192.0.2.1":   "1.2.0.192.in-addr.arpa",
		"2001:db8::1": "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa",
	}
	for ip, want := range tests {
		if got := reverseName(netip.MustParseAddr(ip)); got != want {
			t.Errorf("reverseName(%s) = %s, want %s", ip, got, want)
		}
	}
}
