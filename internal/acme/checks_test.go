package acme

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"testing"
	"time"
)

// TestFinalizeCSRChecks: each bad CSR is badCSR and leaves the order ready.
func TestFinalizeCSRChecks(t *testing.T) {
	e := newTestEnv(t, nil)
	e.runWorker()
	acct, acctKey := e.account()
	o := e.order(acct, "a.example", "b.example")
	e.validateAll(acct, o)
	weak, _ := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	tests := []struct {
		name string
		der  []byte
	}{
		{"not a CSR", []byte("nope")},
		{"a name missing", csr(t, "", "a.example")},
		{"an extra name", csr(t, "", "a.example", "b.example", "c.example")},
		{"CN not an identifier", csr(t, "c.example", "a.example", "b.example")},
		{"an IP not ordered", csr(t, "", "a.example", "b.example", "10.1.1.1")},
		{"the account key", csrWithKey(t, acctKey, "", "a.example", "b.example")},
		{"a weak curve", csrWithWeakKey(t, weak)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.Finalize(context.Background(), e.prov, acct, o.ID, tc.der)
			wantProblem(t, err, ProbBadCSR)
			got, _ := e.svc.Order(context.Background(), acct, o.ID)
			if got.Status != string(StatusReady) {
				t.Fatalf("order %s after a bad CSR, want ready", got.Status)
			}
		})
	}
}

// csrWithWeakKey is a CSR whose key the CA refuses (P-224); x509 can
// create it, so the refusal is the server's.
func csrWithWeakKey(t *testing.T, k *ecdsa.PrivateKey) []byte {
	return csrWithKey(t, k, "", "a.example", "b.example")
}

// TestForceCN: with forceCN and no CN in the CSR, the first identifier
// becomes the CN.
func TestForceCN(t *testing.T) {
	e := newTestEnv(t, func(p map[string]any) { p["forceCN"] = true })
	e.runWorker()
	acct, _ := e.account()
	o := e.order(acct, "first.example", "second.example")
	e.validateAll(acct, o)
	o, err := e.svc.Finalize(context.Background(), e.prov, acct, o.ID, csr(t, "", "second.example", "first.example"))
	if err != nil {
		t.Fatal(err)
	}
	c, _ := e.store.Certificate(context.Background(), o.CertificateSerial)
	if c.Subject != "first.example" {
		t.Fatalf("CN %q, want first.example", c.Subject)
	}
}

// TestNewOrderRejections: each bad identifier set → its problem type.
func TestNewOrderRejections(t *testing.T) {
	e := newTestEnv(t, func(p map[string]any) {
		p["policy"] = map[string]any{"x509": map[string]any{"deny": map[string]any{"dns": []any{"*.denied.example"}}}}
	})
	acct, _ := e.account()
	dns := func(v string) Identifier { return Identifier{Type: IdentifierDNS, Value: v} }
	tests := []struct {
		name string
		ids  []Identifier
		nb   string
		want ProblemType
		subs int
	}{
		{"no identifiers", nil, "", ProbMalformed, 0},
		{"empty label", []Identifier{dns("a..example")}, "", ProbRejectedIdentifier, 1},
		{"bad character", []Identifier{dns("a_b.example")}, "", ProbRejectedIdentifier, 1},
		{"wildcard not leftmost", []Identifier{dns("a.*.example")}, "", ProbRejectedIdentifier, 1},
		{"ip in a dns identifier", []Identifier{dns("10.0.0.1")}, "", ProbRejectedIdentifier, 1},
		{"bad ip", []Identifier{{Type: IdentifierIP, Value: "10.0.0.300"}}, "", ProbMalformed, 1},
		{"unsupported type", []Identifier{{Type: "email", Value: "a@b.example"}}, "", ProbUnsupportedIdentifier, 1},
		{"policy denies", []Identifier{dns("x.denied.example")}, "", ProbRejectedIdentifier, 1},
		{"two bad", []Identifier{dns("a..b"), {Type: "email", Value: "x"}}, "", ProbCompound, 2},
		{"bad notBefore", []Identifier{dns("ok.example")}, "yesterday", ProbMalformed, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.NewOrder(context.Background(), e.prov, acct, NewOrderRequest{Identifiers: tc.ids, NotBefore: tc.nb})
			p := wantProblem(t, err, tc.want)
			if len(p.Subproblems) != tc.subs {
				t.Fatalf("%d subproblems, want %d: %+v", len(p.Subproblems), tc.subs, p.Subproblems)
			}
		})
	}
}

// TestNewAccount: one account per key, onlyReturnExisting, contacts.
func TestNewAccount(t *testing.T) {
	e := newTestEnv(t, nil)
	ctx := context.Background()
	acct, _ := e.account()
	again, created, err := e.svc.NewAccount(ctx, e.prov, NewAccountRequest{Key: acct.Key, KeyID: acct.KeyID})
	if err != nil || created || again.ID != acct.ID {
		t.Fatalf("same key: %v created=%v id %s want %s", err, created, again.ID, acct.ID)
	}
	tests := []struct {
		name string
		req  NewAccountRequest
		want ProblemType
	}{
		{"only existing, unknown key", NewAccountRequest{KeyID: "unknown", OnlyReturnExisting: true}, ProbAccountDoesNotExist},
		{"tel contact", NewAccountRequest{KeyID: "k1", Contact: []string{"tel:+123"}}, ProbUnsupportedContact},
		{"two addresses", NewAccountRequest{KeyID: "k2", Contact: []string{"mailto:a@b.example,c@d.example"}}, ProbInvalidContact},
		{"not an address", NewAccountRequest{KeyID: "k3", Contact: []string{"mailto:nobody"}}, ProbInvalidContact},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := e.svc.NewAccount(ctx, e.prov, tc.req)
			wantProblem(t, err, tc.want)
		})
	}
}

// TestRequireEABWithoutHook: a provisioner that requires EAB refuses new
// accounts while no EAB check is plugged in.
func TestRequireEABWithoutHook(t *testing.T) {
	e := newTestEnv(t, func(p map[string]any) { p["requireEAB"] = true })
	_, _, err := e.svc.NewAccount(context.Background(), e.prov, NewAccountRequest{KeyID: "k"})
	wantProblem(t, err, ProbExternalAccountRequired)
}

// TestAccountUpdateAndDeactivation: contacts change; a deactivated account
// can no longer be used.
func TestAccountUpdateAndDeactivation(t *testing.T) {
	e := newTestEnv(t, nil)
	ctx := context.Background()
	acct, _ := e.account()
	contacts := []string{"mailto:new@example.com"}
	got, err := e.svc.UpdateAccount(ctx, acct, AccountUpdate{Contact: &contacts})
	if err != nil || len(got.Contact) != 1 || got.Contact[0] != contacts[0] {
		t.Fatalf("update: %v %v", got, err)
	}
	_, err = e.svc.UpdateAccount(ctx, acct, AccountUpdate{Status: StatusValid})
	wantProblem(t, err, ProbMalformed)
	_, err = e.svc.UpdateAccount(ctx, acct, AccountUpdate{Status: StatusDeactivated, Contact: &contacts})
	wantProblem(t, err, ProbMalformed)
	if _, err := e.svc.UpdateAccount(ctx, acct, AccountUpdate{Status: StatusDeactivated}); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.Account(ctx, e.prov, acct.ID)
	wantProblem(t, err, ProbUnauthorized)
	_, _, err = e.svc.NewAccount(ctx, e.prov, NewAccountRequest{Key: acct.Key, KeyID: acct.KeyID})
	wantProblem(t, err, ProbUnauthorized)
	_, err = e.svc.Account(ctx, e.prov, "no-such-account")
	wantProblem(t, err, ProbAccountDoesNotExist)
}

// TestAuthzDeactivation: the client gives an authorization up; its order
// becomes invalid; another account cannot touch it.
func TestAuthzDeactivation(t *testing.T) {
	e := newTestEnv(t, nil)
	ctx := context.Background()
	acct, _ := e.account()
	stranger, _ := e.account()
	o := e.order(acct, "gone.example")
	_, err := e.svc.DeactivateAuthz(ctx, stranger, o.AuthzIDs[0])
	wantProblem(t, err, ProbUnauthorized)
	a, err := e.svc.DeactivateAuthz(ctx, acct, o.AuthzIDs[0])
	if err != nil || a.Status != string(StatusDeactivated) {
		t.Fatalf("deactivate: %v %v", a, err)
	}
	o, _ = e.svc.Order(ctx, acct, o.ID)
	if o.Status != string(StatusInvalid) {
		t.Fatalf("order %s after its authorization was deactivated, want invalid", o.Status)
	}
	_, err = e.svc.Order(ctx, stranger, o.ID)
	wantProblem(t, err, ProbUnauthorized)
}

// TestListOrdersPages: the account's orders, in creation order, by page.
func TestListOrdersPages(t *testing.T) {
	defer func(n int) { ordersPageSize = n }(ordersPageSize)
	ordersPageSize = 2
	e := newTestEnv(t, nil)
	acct, _ := e.account()
	other, _ := e.account()
	var want []string
	for _, n := range []string{"o1.example", "o2.example", "o3.example"} {
		want = append(want, e.order(acct, n).ID)
	}
	e.order(other, "theirs.example")
	var got []string
	cursor := ""
	for page := 0; page < 5; page++ {
		ids, next, err := e.svc.ListOrders(context.Background(), acct, cursor)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, ids...)
		if next == "" {
			break
		}
		cursor = next
	}
	// Creation order within one second is the backend's (SQL rounds times).
	if !sameNames(got, want) {
		t.Fatalf("orders %v, want %v", got, want)
	}
}

// TestExpiry: after 24 hours an unfinished order is invalid and its
// authorization expired; a challenge can no longer be answered.
func TestExpiry(t *testing.T) {
	e := newTestEnv(t, nil)
	ctx := context.Background()
	acct, _ := e.account()
	o := e.order(acct, "late.example")
	later := time.Now().Add(OrderLifetime + time.Minute)
	e.svc.now = func() time.Time { return later }
	got, err := e.svc.Order(ctx, acct, o.ID)
	if err != nil || got.Status != string(StatusInvalid) {
		t.Fatalf("order %s, %v; want invalid", got.Status, err)
	}
	a, err := e.svc.Authz(ctx, acct, o.AuthzIDs[0])
	if err != nil || a.Status != string(StatusExpired) {
		t.Fatalf("authz %s, %v; want expired", a.Status, err)
	}
	_, ch, err := e.svc.RespondChallenge(ctx, acct, a.ID, a.Challenges[0].ID)
	if err != nil || ch.Status != string(StatusPending) || !a.ValidateAt.IsZero() {
		t.Fatalf("challenge of an expired authz: %v %v", ch.Status, err)
	}
}
