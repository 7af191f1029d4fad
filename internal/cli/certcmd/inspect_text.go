package certcmd

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"io"
	"math/big"
	"strings"
)

// The text form of `certificate inspect`: openssl's -text layout, in step's
// wording, so that people who read one can read the other.

const textTime = "Jan _2 15:04:05 2006 UTC"

// writeCertText prints one certificate.
func writeCertText(w io.Writer, c *x509.Certificate) {
	p := &printer{w: w}
	p.line(0, "Certificate:")
	p.line(4, "Data:")
	p.line(8, "Version: %d (%#x)", c.Version, c.Version-1)
	p.line(8, "Serial Number: %s (%s)", c.SerialNumber, serialHex(c.SerialNumber))
	p.line(8, "Signature Algorithm: %s", c.SignatureAlgorithm)
	p.line(8, "Issuer: %s", dnString(c.Issuer, ","))
	p.line(8, "Validity")
	p.line(12, "Not Before: %s", c.NotBefore.UTC().Format(textTime))
	p.line(12, "Not After : %s", c.NotAfter.UTC().Format(textTime))
	p.line(8, "Subject: %s", dnString(c.Subject, ","))
	p.publicKey(c.PublicKeyAlgorithm, c.PublicKey)
	if len(c.Extensions) > 0 {
		p.line(8, "X509v3 extensions:")
		for _, e := range c.Extensions {
			p.extension(c, e.Id, e.Critical, e.Value)
		}
	}
	p.signature(c.SignatureAlgorithm, c.Signature)
}

// writeCSRText prints a certificate request, and says so when its signature
// does not verify: a tampered CSR must not look like a good one.
func writeCSRText(w io.Writer, csr *x509.CertificateRequest) {
	p := &printer{w: w}
	p.line(0, "Certificate Request:")
	p.line(4, "Data:")
	p.line(8, "Version: %d (%#x)", csr.Version, csr.Version)
	p.line(8, "Subject: %s", dnString(csr.Subject, ","))
	p.publicKey(csr.PublicKeyAlgorithm, csr.PublicKey)
	if len(csr.Extensions) > 0 {
		p.line(8, "Requested Extensions:")
		parsed := csrExtensionsAsCert(csr)
		for _, e := range csr.Extensions {
			p.extension(parsed, e.Id, e.Critical, e.Value)
		}
	}
	p.signature(csr.SignatureAlgorithm, csr.Signature)
	if err := csr.CheckSignature(); err != nil {
		p.line(4, "Signature Verification: FAILED (%v)", err)
	}
}

func serialHex(n *big.Int) string {
	if n.Sign() < 0 {
		return "-0x" + new(big.Int).Neg(n).Text(16)
	}
	return "0x" + n.Text(16)
}

// printer writes indented lines; it keeps the render functions short.
type printer struct{ w io.Writer }

func (p *printer) line(indent int, format string, args ...any) {
	fmt.Fprintf(p.w, "%s%s\n", strings.Repeat(" ", indent), fmt.Sprintf(format, args...))
}

// hexBlock prints b as colon-separated hex, perLine bytes a line.
func (p *printer) hexBlock(indent, perLine int, b []byte) {
	for i := 0; i < len(b); i += perLine {
		end := min(i+perLine, len(b))
		parts := make([]string, 0, end-i)
		for _, x := range b[i:end] {
			parts = append(parts, fmt.Sprintf("%02x", x))
		}
		sep := ":"
		if end == len(b) {
			sep = ""
		}
		p.line(indent, "%s%s", strings.Join(parts, ":"), sep)
	}
}

func (p *printer) publicKey(alg x509.PublicKeyAlgorithm, pub any) {
	p.line(8, "Subject Public Key Info:")
	p.line(12, "Public Key Algorithm: %s", alg)
	switch k := pub.(type) {
	case *rsa.PublicKey:
		p.line(16, "Public-Key: (%d bit)", k.N.BitLen())
		p.line(16, "Modulus:")
		p.hexBlock(20, 15, k.N.Bytes())
		p.line(16, "Exponent: %d (%#x)", k.E, k.E)
	case *ecdsa.PublicKey:
		size := (k.Curve.Params().BitSize + 7) / 8
		p.line(16, "Public-Key: (%d bit)", k.Curve.Params().BitSize)
		p.line(16, "X:")
		p.hexBlock(20, 15, k.X.FillBytes(make([]byte, size)))
		p.line(16, "Y:")
		p.hexBlock(20, 15, k.Y.FillBytes(make([]byte, size)))
		p.line(16, "Curve: %s", k.Curve.Params().Name)
	case ed25519.PublicKey:
		p.line(16, "Public-Key: (%d bit)", len(k)*8)
		p.hexBlock(20, 15, k)
	}
}

func (p *printer) signature(alg x509.SignatureAlgorithm, sig []byte) {
	p.line(4, "Signature Algorithm: %s", alg)
	p.hexBlock(9, 18, sig)
}
