package acme

import (
	"context"
	"crypto/x509"
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/storage"
)

// issueOrder validates and finalizes o for names and returns the leaf.
func (e *testEnv) issueOrder(acct *storage.ACMEAccount, o *storage.ACMEOrder, names ...string) (*storage.ACMEOrder, *x509.Certificate) {
	e.t.Helper()
	e.validateAll(acct, o)
	o, err := e.svc.Finalize(context.Background(), e.prov, acct, o.ID, csr(e.t, names[0], names...))
	if err != nil {
		e.t.Fatal(err)
	}
	chain, _, err := e.svc.CertificateChain(context.Background(), acct, o.CertificateSerial, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(chain[0])
	return o, leaf
}

func dnsIDs(names ...string) []Identifier {
	var ids []Identifier
	for _, n := range names {
		ids = append(ids, Identifier{Type: IdentifierDNS, Value: n})
	}
	return ids
}

// TestOrderProfiles: the default profile pins an order, a named one drives
// the certificate's template and validity, an unknown one is invalidProfile.
func TestOrderProfiles(t *testing.T) {
	e := newTestEnv(t, func(p map[string]any) {
		p["profiles"] = map[string]any{
			"classic": map[string]any{"description": "the provisioner's"},
			"short":   map[string]any{"description": "two hours", "duration": "2h"},
			"server": map[string]any{"description": "serverAuth only", "template": `{"subject":{{ toJson .Subject }},` +
				`"sans":{{ toJson .SANs }},"keyUsage":["digitalSignature"],"extKeyUsage":["serverAuth"]}`},
		}
		p["defaultProfile"] = "classic"
	})
	e.runWorker()
	ctx := context.Background()
	acct, _ := e.account()
	if got := e.prov.Profiles.Meta(); len(got) != 3 || got["short"] != "two hours" {
		t.Fatalf("profiles meta %v", got)
	}

	o := e.order(acct, "default.example")
	if o.Profile != "classic" || OrderJSON(o, testLinks{}).Profile != "classic" {
		t.Fatalf("default profile: order %q", o.Profile)
	}

	_, err := e.svc.NewOrder(ctx, e.prov, acct, NewOrderRequest{Identifiers: dnsIDs("x.example"), Profile: "tlsserver"})
	wantProblem(t, err, ProbInvalidProfile)

	short, err := e.svc.NewOrder(ctx, e.prov, acct, NewOrderRequest{Identifiers: dnsIDs("short.example"), Profile: "short"})
	if err != nil {
		t.Fatal(err)
	}
	_, leaf := e.issueOrder(acct, short, "short.example")
	if life := leaf.NotAfter.Sub(leaf.NotBefore); life < 2*time.Hour || life > 2*time.Hour+2*time.Minute {
		t.Fatalf("short profile: lifetime %v, want 2h (+ backdate)", life)
	}

	server, err := e.svc.NewOrder(ctx, e.prov, acct, NewOrderRequest{Identifiers: dnsIDs("server.example"), Profile: "server"})
	if err != nil {
		t.Fatal(err)
	}
	_, leaf = e.issueOrder(acct, server, "server.example")
	if len(leaf.ExtKeyUsage) != 1 || leaf.ExtKeyUsage[0] != x509.ExtKeyUsageServerAuth {
		t.Fatalf("server profile: EKU %v, want serverAuth only", leaf.ExtKeyUsage)
	}
}

// TestProfileDurationAgainstClaims: a profile no order could be finalized
// with is refused when the provisioner loads.
func TestProfileDurationAgainstClaims(t *testing.T) {
	e := newTestEnv(t, nil)
	f := acmeFields(t, `{"profiles":{"long":{"duration":"9000h"}}}`)
	if _, err := newProvisionerProfiles("acme", f, e.prov.Claims); err == nil {
		t.Fatal("a profile longer than maxTLSCertDuration was accepted")
	}
}

// TestOrderReplaces drives RFC 9773 §5: a replacement names a certificate
// of the same account sharing an identifier, is echoed, and once it is
// finalized a second replacement is alreadyReplaced.
func TestOrderReplaces(t *testing.T) {
	e := newTestEnv(t, nil)
	e.runWorker()
	ctx := context.Background()
	acct, _ := e.account()
	_, leaf := e.issueOrder(acct, e.order(acct, "r.example"), "r.example")
	id, err := NewARICertID(leaf)
	if err != nil {
		t.Fatal(err)
	}

	info, retry, err := e.svc.RenewalInfo(ctx, e.prov, id.String())
	if err != nil || !info.SuggestedWindow.Start.After(leaf.NotBefore) || !info.SuggestedWindow.End.Before(leaf.NotAfter) || retry <= 0 {
		t.Fatalf("renewal info %+v, retry %v: %v", info, retry, err)
	}

	other, _ := e.account()
	_, err = e.svc.NewOrder(ctx, e.prov, other, NewOrderRequest{Identifiers: dnsIDs("r.example"), Replaces: id.String()})
	wantProblem(t, err, ProbMalformed)

	first, err := e.svc.NewOrder(ctx, e.prov, acct, NewOrderRequest{Identifiers: dnsIDs("r.example"), Replaces: id.String()})
	if err != nil || first.Replaces != id.String() || OrderJSON(first, testLinks{}).Replaces != id.String() {
		t.Fatalf("replacement order %+v: %v", first, err)
	}
	// A pending replacement does not block another attempt.
	second, err := e.svc.NewOrder(ctx, e.prov, acct, NewOrderRequest{Identifiers: dnsIDs("r.example"), Replaces: id.String()})
	if err != nil {
		t.Fatal(err)
	}
	e.issueOrder(acct, second, "r.example")
	_, err = e.svc.NewOrder(ctx, e.prov, acct, NewOrderRequest{Identifiers: dnsIDs("r.example"), Replaces: id.String()})
	wantProblem(t, err, ProbAlreadyReplaced)
}

// TestOrderEABPolicy: the bound key's policy refuses what it does not
// allow; a key deleted since takes its policy with it.
func TestOrderEABPolicy(t *testing.T) {
	e := newTestEnv(t, nil)
	ctx := context.Background()
	acct, _ := e.account()
	key := &storage.ACMEEABKey{ID: "team-key", Provisioner: "acme", HMACKey: make([]byte, 32), CreatedAt: time.Now(),
		Policy: []byte(`{"allow":{"dns":["*.team.example"]}}`)}
	if err := e.store.CreateACMEEABKey(ctx, key); err != nil {
		t.Fatal(err)
	}
	acct.EABKeyID = key.ID // as if bound at creation; the policy check reads only this
	_, err := e.svc.NewOrder(ctx, e.prov, acct, NewOrderRequest{Identifiers: dnsIDs("a.team.example", "other.example")})
	wantProblem(t, err, ProbRejectedIdentifier)
	if _, err := e.svc.NewOrder(ctx, e.prov, acct, NewOrderRequest{Identifiers: dnsIDs("a.team.example")}); err != nil {
		t.Fatal(err)
	}
	if err := e.store.DeleteACMEEABKey(ctx, key.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.NewOrder(ctx, e.prov, acct, NewOrderRequest{Identifiers: dnsIDs("other.example")}); err != nil {
		t.Fatalf("after the key's deletion: %v", err)
	}
}

// testLinks renders URLs as their parts, for the JSON echo checks.
type testLinks struct{}

func (testLinks) Account(id string) string         { return "account/" + id }
func (testLinks) Orders(id string) string          { return "orders/" + id }
func (testLinks) Order(id string) string           { return "order/" + id }
func (testLinks) Finalize(id string) string        { return "finalize/" + id }
func (testLinks) Authz(id string) string           { return "authz/" + id }
func (testLinks) Challenge(a, id string) string    { return "challenge/" + a + "/" + id }
func (testLinks) Certificate(serial string) string { return "certificate/" + serial }
