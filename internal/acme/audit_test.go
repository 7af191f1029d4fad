package acme

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/net/idna"
)

// TestNonceRedeemedOnceConcurrently: of 100 concurrent redemptions of one
// nonce exactly one succeeds, the others are badNonce, not errors
// (security.md §1.1 nosql hypothesis, §4.2 I5; R-22 within one process).
func TestNonceRedeemedOnceConcurrently(t *testing.T) {
	e := newTestEnv(t, nil)
	key := make([]byte, 32)
	rand.Read(key)
	n, _ := NewNonces(key, e.store, nil)
	nonce := n.New()
	var ok, bad atomic.Int32
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() {
			err := n.Redeem(context.Background(), nonce)
			var p *Problem
			switch {
			case err == nil:
				ok.Add(1)
			case errors.As(err, &p) && p.Type == ProbBadNonce:
				bad.Add(1)
			default:
				t.Errorf("redeem: %v", err)
			}
		})
	}
	wg.Wait()
	if ok.Load() != 1 || bad.Load() != 99 {
		t.Fatalf("%d successes, %d badNonce; want 1 and 99", ok.Load(), bad.Load())
	}
}

// TestChallengeAnsweredOnce: concurrent POSTs of one challenge start one
// validation; an invalid challenge stays invalid when POSTed again
// (RFC 8555 §7.1.6; security.md R-35).
func TestChallengeAnsweredOnce(t *testing.T) {
	e := newTestEnv(t, nil)
	ctx := context.Background()
	acct, _ := e.account()
	o := e.order(acct, "once.example")
	a, _ := e.svc.Authz(ctx, acct, o.AuthzIDs[0])
	chID := a.Challenges[0].ID
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if _, _, err := e.svc.RespondChallenge(ctx, acct, a.ID, chID); err != nil {
				t.Errorf("respond: %v", err)
			}
		})
	}
	wg.Wait()
	e.val.script(&ValidationError{Type: "incorrectResponse", Detail: "wrong"})
	e.runWorker()
	if got := e.waitAuthz(acct, a.ID); got.Status != string(StatusInvalid) {
		t.Fatalf("authz %s, want invalid", got.Status)
	}
	if n := e.val.callCount(); n != 1 {
		t.Fatalf("%d validations for 20 concurrent POSTs, want 1", n)
	}
	_, ch, err := e.svc.RespondChallenge(ctx, acct, a.ID, chID)
	if err == nil && ch.Status != string(StatusInvalid) {
		t.Fatalf("invalid challenge POSTed again: %s", ch.Status)
	}
	time.Sleep(100 * time.Millisecond) // a wrongly requeued attempt would run by now
	if n := e.val.callCount(); n != 1 {
		t.Fatalf("%d validations after the retry, want 1", n)
	}
}

// TestCAACheckedPerName: with caaIdentities, each authorization's own name
// is checked, once (Let's Encrypt's 2020 CAA bug checked one name N times).
func TestCAACheckedPerName(t *testing.T) {
	e := newTestEnv(t, nil)
	e.worker = NewWorker(WorkerOptions{Store: e.store, Validator: e.val, Poll: 20 * time.Millisecond,
		Backoff: []time.Duration{10 * time.Millisecond}, Timeout: time.Second,
		CAAIdentities: func(string) []string { return []string{"ca.example"} }})
	e.svc.wake = e.worker.Wake
	e.runWorker()
	acct, _ := e.account()
	names := []string{"a.caa.example", "b.caa.example", "c.caa.example"}
	e.validateAll(acct, e.order(acct, names...))
	var caa []string
	e.val.mu.Lock()
	for _, c := range e.val.calls {
		if name, ok := strings.CutPrefix(c, "caa "); ok {
			caa = append(caa, name)
		}
	}
	e.val.mu.Unlock()
	slices.Sort(caa)
	if !slices.Equal(caa, names) {
		t.Fatalf("CAA checked for %v, want each of %v once", caa, names)
	}
}

// TestIdentifierSyntax: the DNS identifier rules of security.md §2.1 and
// R-31, each refused as rejectedIdentifier naming the identifier, and the
// accepted forms normalized.
func TestIdentifierSyntax(t *testing.T) {
	nonNFC, err := idna.Punycode.ToASCII("cafe\u0301") // "e" + combining acute: not NFC
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ in, want string }{ // want "" when refused
		{"Example.COM", "example.com"},
		{"*.example.com", "*.example.com"},
		{"xn--caf-dma.example", "xn--caf-dma.example"}, // café, NFC
		{"a-b.example", "a-b.example"},
		{"", ""},
		{"example.com.", ""},
		{strings.Repeat("a.", 126) + "ab", ""}, // 254 bytes
		{strings.Repeat("a", 64) + ".example", ""},
		{"a..example", ""},
		{"_x.example", ""},
		{"-a.example", ""},
		{"a-.example", ""},
		{"192.0.2.1", ""},
		{"::1", ""},
		{"*.*.example", ""},
		{"a.*.example", ""},
		{"*example.com", ""},
		{"ab--x.example", ""},
		{"xn--.example", ""},
		{"xn--a.example", ""}, // punycode of nothing valid
		{strings.ToLower(nonNFC) + ".example", ""},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, prob := normalizeIdentifiers([]Identifier{{Type: IdentifierDNS, Value: tc.in}})
			if tc.want != "" {
				if prob != nil || got[0].Value != tc.want {
					t.Fatalf("%v %v, want %q", got, prob, tc.want)
				}
				return
			}
			if prob == nil {
				t.Fatalf("accepted as %v", got)
			}
			if tc.in != "" && (prob.Type != ProbRejectedIdentifier || len(prob.Subproblems) != 1 || prob.Subproblems[0].Identifier.Value != tc.in) {
				t.Fatalf("problem %+v, want rejectedIdentifier naming %q", prob, tc.in)
			}
		})
	}
}

// TestNewID: object IDs and challenge tokens are 128-bit random base64url
// (RFC 8555 §8.1 tokens, §10 unguessable URLs).
func TestNewID(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := newID()
		b, err := base64.RawURLEncoding.DecodeString(id)
		if err != nil || len(b) != 16 || seen[id] {
			t.Fatalf("id %q: %v, %d bytes, seen %v", id, err, len(b), seen[id])
		}
		seen[id] = true
	}
}

// TestCAARecheckAtFinalize: with caaIdentities, finalize checks CAA again
// for names validated more than 8 hours ago (BR 3.2.2.8), not for fresh
// ones; a refusal is the caa problem naming the name, and the order stays
// ready so it can finish once the record allows it.
func TestCAARecheckAtFinalize(t *testing.T) {
	e := newTestEnv(t, func(p map[string]any) { p["caaIdentities"] = []any{"ca.example"} })
	e.runWorker()
	ctx := context.Background()
	var mu sync.Mutex
	var checked []string
	forbid := "b.stale.example"
	e.svc.caa = func(_ context.Context, domain string, _ bool, issuers []string) error {
		mu.Lock()
		defer mu.Unlock()
		checked = append(checked, domain)
		if domain == forbid && slices.Equal(issuers, []string{"ca.example"}) {
			return &ValidationError{Type: "caa", Detail: "CAA record forbids ca.example"}
		}
		return nil
	}
	acct, _ := e.account()
	names := []string{"a.stale.example", "b.stale.example"}

	fresh := e.order(acct, names...)
	e.validateAll(acct, fresh)
	if _, err := e.svc.Finalize(ctx, e.prov, acct, fresh.ID, csr(t, "", names...)); err != nil || len(checked) != 0 {
		t.Fatalf("fresh validations: %v, CAA checked for %v", err, checked)
	}

	stale := e.order(acct, names...)
	e.validateAll(acct, stale)
	later := time.Now().Add(CAARecheckAfter + time.Minute)
	e.svc.now = func() time.Time { return later }
	_, err := e.svc.Finalize(ctx, e.prov, acct, stale.ID, csr(t, "", names...))
	if p := wantProblem(t, err, ProbCAA); !strings.Contains(p.Detail, forbid) {
		t.Fatalf("detail %q does not name %s", p.Detail, forbid)
	}
	if o, _ := e.svc.Order(ctx, acct, stale.ID); o.Status != string(StatusReady) {
		t.Fatalf("order %s after a CAA refusal, want ready", o.Status)
	}
	forbid = ""
	if _, err := e.svc.Finalize(ctx, e.prov, acct, stale.ID, csr(t, "", names...)); err != nil {
		t.Fatalf("after the record changed: %v", err)
	}
	slices.Sort(checked)
	if !slices.Equal(checked, []string{"a.stale.example", "a.stale.example", "b.stale.example", "b.stale.example"}) &&
		!slices.Equal(checked, []string{"a.stale.example", "b.stale.example", "b.stale.example"}) {
		t.Fatalf("CAA checked for %v", checked)
	}
}

// TestRevokeByAuthorizedAccount: an account that holds valid authorizations
// for every name of a certificate it did not order may revoke it (RFC 8555
// §7.6); authorizations for only some names, or expired ones, do not do.
func TestRevokeByAuthorizedAccount(t *testing.T) {
	e := newTestEnv(t, nil)
	e.runWorker()
	ctx := context.Background()
	owner, _ := e.account()
	names := []string{"r1.example", "*.r2.example"}
	o := e.order(owner, names...)
	e.validateAll(owner, o)
	o, err := e.svc.Finalize(ctx, e.prov, owner, o.ID, csr(t, "", names...))
	if err != nil {
		t.Fatal(err)
	}
	c, _ := e.store.Certificate(ctx, o.CertificateSerial)
	req := RevokeRequest{Certificate: base64.RawURLEncoding.EncodeToString(c.DER)}

	partial, _ := e.account()
	e.validateAll(partial, e.order(partial, "r1.example"))
	wildcardOnlyBase, _ := e.account()
	e.validateAll(wildcardOnlyBase, e.order(wildcardOnlyBase, "r1.example", "r2.example"))
	holder, _ := e.account()
	e.validateAll(holder, e.order(holder, "r2.example", "*.r2.example"))
	e.validateAll(holder, e.order(holder, "r1.example"))

	wantProblem(t, e.svc.Revoke(ctx, e.prov, req, partial, nil), ProbUnauthorized)
	wantProblem(t, e.svc.Revoke(ctx, e.prov, req, wildcardOnlyBase, nil), ProbUnauthorized)
	real := e.svc.now
	e.svc.now = func() time.Time { return time.Now().Add(OrderLifetime + time.Minute) }
	wantProblem(t, e.svc.Revoke(ctx, e.prov, req, holder, nil), ProbUnauthorized)
	e.svc.now = real
	if err := e.svc.Revoke(ctx, e.prov, req, holder, nil); err != nil {
		t.Fatalf("an account holding every authorization: %v", err)
	}
}
