package client

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/jose"
)

func pemOf(c *x509.Certificate) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}))
}

// newTestCA serves h over TLS and returns a client trusting its certificate.
func newTestCA(t *testing.T, h http.HandlerFunc) (*Client, *httptest.Server) {
	t.Helper()
	srv := httptest.NewTLSServer(h)
	t.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	c, err := New(srv.URL, Options{RootPool: pool, Timeout: 5 * time.Second, UserAgent: "stride/test"})
	if err != nil {
		t.Fatal(err)
	}
	return c, srv
}

func TestClientCalls(t *testing.T) {
	var root *x509.Certificate
	tests := []struct {
		name    string
		handler http.HandlerFunc
		run     func(c *Client) (any, error)
		want    string // substring of the JSON of the result, or of the error
		wantErr bool
	}{
		{"health", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{"status":"ok"}`) },
			func(c *Client) (any, error) { return c.Health(context.Background()) }, `"status":"ok"`, false},
		{"version", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{"version":"0.30.2"}`) },
			func(c *Client) (any, error) { return c.Version(context.Background()) }, `"version":"0.30.2"`, false},
		{"roots 201", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(201)
			json.NewEncoder(w).Encode(map[string]any{"crts": []string{pemOf(root)}})
		}, func(c *Client) (any, error) {
			rs, err := c.Roots(context.Background())
			return len(rs), err
		}, "1", false},
		{"error json", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(403)
			io.WriteString(w, `{"status":403,"message":"The request was forbidden by the certificate authority: nope."}`)
		}, func(c *Client) (any, error) { return c.Sign(context.Background(), &SignRequest{}) },
			"The request was forbidden by the certificate authority: nope.", true},
		{"root fingerprint mismatch", func(w http.ResponseWriter, r *http.Request) {
			json.NewEncoder(w).Encode(map[string]any{"ca": pemOf(root)})
		}, func(c *Client) (any, error) { return c.Root(context.Background(), strings.Repeat("ab", 32)) }, "refusing", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, srv := newTestCA(t, tt.handler)
			root = srv.Certificate()
			got, err := tt.run(c)
			if tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("error %v, want %q", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(got)
			if !strings.Contains(string(b), tt.want) {
				t.Fatalf("got %s, want %q", b, tt.want)
			}
		})
	}
}

func TestRequestHeadersAndSignBody(t *testing.T) {
	c, _ := newTestCA(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/sign" || r.Header.Get("User-Agent") != "stride/test" || len(r.Header.Get("X-Request-Id")) != 32 {
			t.Errorf("request %s %v", r.URL.Path, r.Header)
		}
		var body map[string]any
		json.NewDecoder(r.Body).Decode(&body)
		if body["csr"] != "CSR" || body["ott"] != "T" || body["notAfter"] != "1h" {
			t.Errorf("body %v", body)
		}
		w.WriteHeader(201)
		io.WriteString(w, `{"crt":"a","ca":"b","certChain":["a","b"]}`)
	})
	res, err := c.Sign(context.Background(), &SignRequest{CSR: "CSR", OTT: "T", NotAfter: "1h"})
	if err != nil || len(res.CertChainPEM) != 2 {
		t.Fatalf("%v %+v", err, res)
	}
}

func TestRetries(t *testing.T) {
	retryDelay = time.Millisecond
	tests := []struct {
		name      string
		post      bool
		wantCalls int32
	}{{"GET retried once", false, 2}, {"POST not retried", true, 1}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			c, _ := newTestCA(t, func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				w.WriteHeader(503)
			})
			var err error
			if tt.post {
				_, err = c.Sign(context.Background(), &SignRequest{})
			} else {
				_, err = c.Health(context.Background())
			}
			var ce *Error
			if !errors.As(err, &ce) || ce.StatusCode != 503 {
				t.Fatalf("error %v", err)
			}
			if calls.Load() != tt.wantCalls {
				t.Fatalf("%d calls, want %d", calls.Load(), tt.wantCalls)
			}
		})
	}
}

func TestProvisionersPaging(t *testing.T) {
	c, _ := newTestCA(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("cursor") {
		case "":
			io.WriteString(w, `{"provisioners":[{"type":"JWK","name":"a","key":{"kty":"EC","kid":"k1"}}],"nextCursor":"x"}`)
		case "x":
			io.WriteString(w, `{"provisioners":[{"type":"ACME","name":"acme"}],"nextCursor":""}`)
		}
	})
	all, err := c.AllProvisioners(context.Background())
	if err != nil || len(all) != 2 || all[0].KeyID() != "k1" || all[1].Type != "ACME" || !strings.Contains(string(all[1].Raw), "acme") {
		t.Fatalf("%v %+v", err, all)
	}
}

func TestUnreachable(t *testing.T) {
	c, srv := newTestCA(t, func(w http.ResponseWriter, r *http.Request) {})
	srv.Close()
	_, err := c.Health(context.Background())
	if err == nil || !strings.Contains(err.Error(), "cannot reach the CA") {
		t.Fatalf("error %v", err)
	}
}

func TestUntrustedServer(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	c, err := New(srv.URL, Options{RootPool: x509.NewCertPool()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err = c.Health(context.Background()); err == nil || !strings.Contains(err.Error(), "--root") {
		t.Fatalf("error %v", err)
	}
}

func TestFetchRoot(t *testing.T) {
	var root *x509.Certificate
	c, srv := newTestCA(t, func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{"ca": pemOf(root)})
	})
	root = srv.Certificate()
	got, err := FetchRoot(context.Background(), c.URL(), Fingerprint(root), Options{})
	if err != nil || !got.Equal(root) {
		t.Fatalf("%v", err)
	}
	if _, err := FetchRoot(context.Background(), c.URL(), strings.Repeat("0", 64), Options{}); err == nil {
		t.Fatal("a wrong fingerprint was accepted")
	}
	if _, err := FetchRoot(context.Background(), c.URL(), "xyz", Options{}); err == nil {
		t.Fatal("a malformed fingerprint was accepted")
	}
}

func TestNewJWKToken(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	jwk, _ := jose.NewJWK(key)
	now := time.Unix(1700000000, 0)
	tests := []struct {
		name    string
		opts    JWKTokenOptions
		check   func(t *testing.T, c map[string]any)
		wantErr bool
	}{
		{"sign defaults", JWKTokenOptions{SANs: []string{"a.example"}}, func(t *testing.T, c map[string]any) {
			if c["aud"] != "https://ca:9000/1.0/sign" || c["iss"] != "admin" || c["sub"] != "foo" ||
				c["exp"].(float64)-c["nbf"].(float64) != 300 || len(c["jti"].(string)) != 64 ||
				c["sha"] != strings.Repeat("ab", 32) || c["sans"].([]any)[0] != "a.example" {
				t.Errorf("claims %v", c)
			}
		}, false},
		{"no sans when nil", JWKTokenOptions{}, func(t *testing.T, c map[string]any) {
			if _, ok := c["sans"]; ok {
				t.Errorf("claims %v", c)
			}
		}, false},
		{"too long", JWKTokenOptions{NotAfter: now.Add(2 * time.Hour)}, nil, true},
		{"too short", JWKTokenOptions{NotAfter: now.Add(time.Second)}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.opts
			o.Provisioner, o.Key, o.Audience, o.RootSHA = "admin", jwk, Audience("https://ca:9000/", AudienceSign), strings.Repeat("AB", 32)
			o.Now = func() time.Time { return now }
			tok, err := NewJWKToken("foo", o)
			if tt.wantErr {
				if err == nil {
					t.Fatal("no error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			hdr, claims, err := jose.VerifyJWT(tok, jose.Public(jwk), jose.Expected{Time: now})
			if err != nil || hdr["kid"] != jwk.KeyID {
				t.Fatalf("%v %v", err, hdr)
			}
			tt.check(t, claims)
		})
	}
}

func TestNewRenewToken(t *testing.T) {
	c, srv := newTestCA(t, func(w http.ResponseWriter, r *http.Request) {})
	leaf := srv.Certificate()
	signer, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	now := time.Now()
	tok, err := NewRenewToken([]*x509.Certificate{leaf}, signer, c.URL(), now)
	if err != nil {
		t.Fatal(err)
	}
	hdr, claims, err := jose.VerifyJWT(tok, signer.Public(), jose.Expected{Time: now})
	if err != nil {
		t.Fatal(err)
	}
	if x5c, ok := hdr["x5cInsecure"].([]any); !ok || len(x5c) != 1 {
		t.Errorf("header %v", hdr)
	}
	if claims["iss"] != RenewTokenIssuer || claims["aud"] != c.URL()+"/1.0/renew" || claims["sub"] != leaf.Subject.CommonName {
		t.Errorf("claims %v", claims)
	}
}
