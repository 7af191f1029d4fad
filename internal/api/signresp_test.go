package api

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/stride-pki/stride/internal/config"
)

// TestSignResponseMatchesJSON: the hand-written SignResponse is byte for byte
// what writeJSON(signResponse{…}) writes, for chains of zero to two
// certificates and for default, custom and absent tlsOptions, and the cache
// follows a change of chain or options.
func TestSignResponseMatchesJSON(t *testing.T) {
	p := pki(t)
	custom := &config.TLS{CipherSuites: []string{"TLS_AES_128_GCM_SHA256"}, MinVersion: 1.3, MaxVersion: 1.3,
		Renegotiation: true}
	var tails signTails
	for _, inters := range [][]*x509.Certificate{{p.intermediate}, nil, {p.intermediate, p.root}, {p.intermediate}} {
		for _, tls := range []*config.TLS{config.DefaultTLS(), custom, nil, config.DefaultTLS()} {
			for _, leaf := range []*x509.Certificate{p.leaf, p.root} {
				want := httptest.NewRecorder()
				resp := signResponse{Certificate: certPEM(leaf),
					CertChain: certsPEM(append([]*x509.Certificate{leaf}, inters...)), TLSOptions: tls}
				if len(inters) > 0 {
					resp.CA = certPEM(inters[0])
				}
				writeJSON(want, 201, resp)
				tail, err := tails.get(inters, tls)
				if err != nil {
					t.Fatal(err)
				}
				got := httptest.NewRecorder()
				writeSignResponse(got, 201, tail, leaf.Raw)
				if !bytes.Equal(got.Body.Bytes(), want.Body.Bytes()) {
					t.Fatalf("%d intermediates, tls %v:\n got %s\nwant %s", len(inters), tls, got.Body, want.Body)
				}
				for _, h := range []string{"Content-Type", "Content-Length"} {
					if got.Header().Get(h) != want.Header().Get(h) {
						t.Fatalf("%s %q, want %q", h, got.Header().Get(h), want.Header().Get(h))
					}
				}
				var v signResponse
				if err := json.Unmarshal(got.Body.Bytes(), &v); err != nil || v.Certificate != certPEM(leaf) {
					t.Fatalf("not a SignResponse: %v", err)
				}
			}
		}
	}
}

// BenchmarkSignResponse: the SignResponse of a leaf under one intermediate,
// with writeJSON (json.Marshal) and with the cached encoder.
func BenchmarkSignResponse(b *testing.B) {
	p := pki(b)
	inters := []*x509.Certificate{p.intermediate}
	b.Run("json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			resp := signResponse{Certificate: certPEM(p.leaf), CA: certPEM(inters[0]),
				CertChain: certsPEM(append([]*x509.Certificate{p.leaf}, inters...)), TLSOptions: config.DefaultTLS()}
			writeJSON(httptest.NewRecorder(), 201, resp)
		}
	})
	b.Run("cached", func(b *testing.B) {
		var tails signTails
		b.ReportAllocs()
		for b.Loop() {
			tail, _ := tails.get(inters, config.DefaultTLS())
			writeSignResponse(httptest.NewRecorder(), 201, tail, p.leaf.Raw)
		}
	})
}
