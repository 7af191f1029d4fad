package e2e

// Issue 6's acceptance for ACME on several stride-ca processes: two
// replicas of one PKI on one PostgreSQL (or MariaDB) database share
// accounts, nonces, orders, authorizations and challenges through it.
//
// The ACME edge builds every URL it hands out, and every "kid" it accepts,
// from the Host the request was sent to (RFC 8555 §6.4: the JWS "url" must
// be the request's URL). Two replicas reached at their own addresses are
// two different servers to a client: an account URL from A is not a kid B
// accepts. B finds the account by its key (onlyReturnExisting) at the same
// path, which is all the database can promise. A load-balanced deployment
// must therefore give every replica the same Host: the balancer's name, as
// an L4 (TLS pass-through) balancer does. The rest of the test reaches both
// replicas through one name, https://localhost:P: a round-robin TCP proxy
// listens at P, and for the steps that must pick a replica the test's
// HTTP clients dial that replica directly while still sending Host and SNI
// localhost:P — byte for byte what the replica would receive had the
// balancer picked it.
//
// stride-ca only: step-ca keeps ACME state in its (single-process) nosql
// stores and promises none of this.

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/acme"
)

// acmeReplicaSet is two started replicas and the ways to reach them.
type acmeReplicaSet struct {
	backend, db string
	a, b        *runningCA
	http01      *http01Responder

	front            string       // https://localhost:P, the one name of both replicas
	viaA, viaB, viaL *http.Client // to front, dialling A, B, or the round-robin proxy
	key              *ecdsa.PrivateKey
	kid              string // the account's URL under front
	raced            []byte // the leaf the finalize race issued
}

// TestACMEReplicas: issue 6 on PostgreSQL and MariaDB, see the file comment.
func TestACMEReplicas(t *testing.T) {
	t.Parallel()
	for _, be := range []struct{ name, typ string }{{"postgresql", "postgresql"}, {"mariadb", "mysql"}} {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			begin := time.Now()
			rs := startACMEReplicas(t, be.typ)
			t.Logf("two replicas serving after %.1fs", time.Since(begin).Seconds())
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Second)
			defer cancel()
			for _, step := range []struct {
				name string
				fn   func(context.Context, *testing.T)
			}{
				{"account created at A is found at B", rs.accountAcrossReplicas},
				{"nonces are single-use across replicas", rs.noncesAcrossReplicas},
				{"one certificate for a finalize race", rs.finalizeRace},
				{"revocation across replicas", rs.revokeAcrossReplicas},
			} {
				if !t.Run(step.name, func(t *testing.T) { step.fn(ctx, t) }) {
					return
				}
			}
			// golang.org/x/crypto/acme retries a 5xx quietly: the logs tell.
			for name, ca := range map[string]*runningCA{"A": rs.a, "B": rs.b} {
				if l := serverErrors(ca); len(l) > 0 {
					t.Errorf("replica %s logged server errors:\n%s", name, strings.Join(l, "\n"))
				}
			}
			t.Logf("%s: %.1fs in all", be.name, time.Since(begin).Seconds())
		})
	}
}

// startACMEReplicas starts replica A (which makes the PKI) and replica B on
// a fresh database of backend, both with the ACME provisioner, validating
// http-01 at the test's responder and resolving every name to 127.0.0.1.
func startACMEReplicas(t *testing.T, backend string) *acmeReplicaSet {
	t.Helper()
	rs := &acmeReplicaSet{backend: backend, db: perRunDatabase(t), http01: startHTTP01Responder(t)}
	dns := startTestDNS(t)
	rs.a = startCA(t, strideCA, caOptions{setup: func(t *testing.T, ca *runningCA) {
		ca.editConfig(func(cfg map[string]any) {
			cfg["db"] = dbConfig(backend, rs.db)
			auth := cfg["authority"].(map[string]any)
			auth["provisioners"] = append(auth["provisioners"].([]any), map[string]any{"type": "ACME", "name": acmeProvisioner})
			cfg["acmeTestPorts"] = map[string]any{"http01": rs.http01.port, "tlsalpn01": freePort(t)}
		})
		ca.Args = append(ca.Args, "--resolver", dns.Addr())
	}})
	rs.b = rs.a.replica(t, "ca-b", nil)
	rs.b.Args = append([]string(nil), rs.a.Args...)
	rs.b.start()

	lb := startRoundRobin(t, rs.a.Port, rs.b.Port)
	rs.front = fmt.Sprintf("https://localhost:%d", lb)
	rs.viaA = rs.a.dialling(rs.a.Port, true)
	rs.viaB = rs.a.dialling(rs.b.Port, true)
	rs.viaL = rs.a.dialling(lb, false) // a connection per request: each one goes to the next replica
	var err error
	if rs.key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		t.Fatal(err)
	}
	return rs
}

func acmeDirectory(base string) string { return base + "/acme/" + acmeProvisioner + "/directory" }

// client is an ACME client of the account key on front through hc.
func (rs *acmeReplicaSet) client(hc *http.Client) *acme.Client {
	return &acme.Client{Key: rs.key, KID: acme.KeyID(rs.kid), DirectoryURL: acmeDirectory(rs.front), HTTPClient: hc}
}

func (rs *acmeReplicaSet) accountAcrossReplicas(ctx context.Context, t *testing.T) {
	atA := &acme.Client{Key: rs.key, DirectoryURL: acmeDirectory(rs.a.URL), HTTPClient: rs.a.httpClient()}
	made, err := atA.Register(ctx, &acme.Account{Contact: []string{"mailto:ha@example.com"}}, acme.AcceptTOS)
	if err != nil {
		t.Fatalf("registering at A: %v", err)
	}
	atB := &acme.Client{Key: rs.key, DirectoryURL: acmeDirectory(rs.b.URL), HTTPClient: rs.b.httpClient()}
	found, err := atB.GetReg(ctx, "")
	if err != nil {
		t.Fatalf("onlyReturnExisting at B for the key registered at A: %v", err)
	}
	pa, pb := urlPath(t, made.URI), urlPath(t, found.URI)
	if pa != pb || found.Status != acme.StatusValid || len(found.Contact) != 1 || found.Contact[0] != "mailto:ha@example.com" {
		t.Errorf("B found %+v, A registered %+v (paths %s, %s)", found, made, pb, pa)
	}
	// Registering the key again at B finds the account, it makes no second one.
	again := &acme.Client{Key: rs.key, DirectoryURL: acmeDirectory(rs.b.URL), HTTPClient: rs.b.httpClient()}
	if _, err := again.Register(ctx, &acme.Account{}, acme.AcceptTOS); !errors.Is(err, acme.ErrAccountAlreadyExists) ||
		urlPath(t, string(again.KID)) != pa {
		t.Errorf("new-account at B with A's key: %v, kid %s; want the existing account %s", err, again.KID, pa)
	}
	if n := sqlQuery(t, rs.backend, rs.db, "SELECT COUNT(*) FROM acme_accounts"); n != "1" {
		t.Errorf("%s ACME accounts stored, want 1", n)
	}

	// The kid A handed out names A's host: B does not take it as one of its
	// account URLs (the reason replicas need one shared Host).
	direct := rs.b.httpClient()
	ans := postJWS(direct, found.URI, signJWS(t, rs.key, made.URI, fetchNonce(t, direct, rs.b.URL), found.URI, nil))
	if ans.status != http.StatusBadRequest || ans.problem() != "urn:ietf:params:acme:error:accountDoesNotExist" {
		t.Errorf("A's account URL as the kid of a request to B's own address: %d %v %s, want 400 accountDoesNotExist",
			ans.status, ans.err, ans.body)
	}

	rs.kid = rs.front + pa
	for name, hc := range map[string]*http.Client{"A": rs.viaA, "B": rs.viaB} {
		acct, err := rs.client(hc).GetReg(ctx, rs.kid)
		if err != nil || acct.Status != acme.StatusValid {
			t.Errorf("the account through the shared name, at %s: %+v %v", name, acct, err)
		}
	}
}

func (rs *acmeReplicaSet) noncesAcrossReplicas(ctx context.Context, t *testing.T) {
	// One nonce from A: good once at B, then bad at A and at B.
	body := signJWS(t, rs.key, rs.kid, fetchNonce(t, rs.viaA, rs.front), rs.kid, nil)
	if ans := postJWS(rs.viaB, rs.kid, body); ans.status != http.StatusOK {
		t.Fatalf("a nonce from A, redeemed at B: %d %v %s", ans.status, ans.err, ans.body)
	}
	for name, hc := range map[string]*http.Client{"A": rs.viaA, "B": rs.viaB} {
		if ans := postJWS(hc, rs.kid, body); ans.status != http.StatusBadRequest || ans.problem() != "urn:ietf:params:acme:error:badNonce" {
			t.Errorf("the nonce replayed at %s: %d %v %s, want 400 badNonce", name, ans.status, ans.err, ans.body)
		}
	}

	// 100 nonces (half from each replica), each request sent to both at once.
	const n, inflight = 100, 16
	bodies := make([][]byte, n)
	for i := range bodies {
		issuer := []*http.Client{rs.viaA, rs.viaB}[i%2]
		bodies[i] = signJWS(t, rs.key, rs.kid, fetchNonce(t, issuer, rs.front), rs.kid, nil)
	}
	out := make([][2]jwsAnswer, n)
	sem := make(chan struct{}, inflight)
	var wg sync.WaitGroup
	for i, body := range bodies {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			var start, done sync.WaitGroup
			start.Add(1)
			for j, hc := range []*http.Client{rs.viaA, rs.viaB} {
				done.Add(1)
				go func() {
					defer done.Done()
					start.Wait()
					out[i][j] = postJWS(hc, rs.kid, body)
				}()
			}
			start.Done()
			done.Wait()
		}()
	}
	wg.Wait()
	wins, bad := [2]int{}, 0
	for i, o := range out {
		won := -1
		for j := range o {
			if o[j].status == http.StatusOK {
				won = j
			}
		}
		if won >= 0 && o[1-won].status == http.StatusBadRequest && o[1-won].problem() == "urn:ietf:params:acme:error:badNonce" {
			wins[won]++
			continue
		}
		if bad++; bad <= 5 {
			t.Errorf("nonce %d: A %d %v %s / B %d %v %s, want one 200 and one 400 badNonce", i,
				o[0].status, o[0].err, o[0].body, o[1].status, o[1].err, o[1].body)
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d nonces were not accepted exactly once", bad, n)
	}
	t.Logf("%d nonces raced: A accepted %d, B %d", n, wins[0], wins[1])
}

func (rs *acmeReplicaSet) finalizeRace(ctx context.Context, t *testing.T) {
	const name = "ha.example.test"
	cA, cB, cL := rs.client(rs.viaA), rs.client(rs.viaB), rs.client(rs.viaL)
	order, err := cA.AuthorizeOrder(ctx, acme.DomainIDs(name))
	if err != nil {
		t.Fatalf("new-order at A: %v", err)
	}
	authzID := rs.answerHTTP01(ctx, t, cB, order)
	if o, err := cL.WaitOrder(ctx, order.URI); err != nil || o.Status != acme.StatusReady {
		t.Fatalf("the order through the balancer: %+v %v, want ready", o, err)
	}
	rs.oneValidation(t, authzID)

	// Four finalize requests to each replica at the same instant.
	csrKey, csr := acmeCSR(t, name)
	payload, _ := json.Marshal(map[string]string{"csr": base64.RawURLEncoding.EncodeToString(csr)})
	const perReplica = 4
	type sent struct {
		at  string
		ans jwsAnswer
	}
	var reqs []sent
	var bodies [][]byte
	for i := range 2 * perReplica {
		hc := []*http.Client{rs.viaA, rs.viaB}[i%2]
		reqs = append(reqs, sent{at: "AB"[i%2 : i%2+1]})
		bodies = append(bodies, signJWS(t, rs.key, rs.kid, fetchNonce(t, hc, rs.front), order.FinalizeURL, payload))
	}
	var start, done sync.WaitGroup
	start.Add(1)
	for i := range reqs {
		done.Add(1)
		go func() {
			defer done.Done()
			start.Wait()
			reqs[i].ans = postJWS([]*http.Client{rs.viaA, rs.viaB}[i%2], order.FinalizeURL, bodies[i])
		}()
	}
	start.Done()
	done.Wait()
	certURLs := map[string]string{} // URL → the replica that answered it
	for i, r := range reqs {
		a := r.ans
		var o struct {
			Status      string `json:"status"`
			Certificate string `json:"certificate"`
		}
		if a.status == http.StatusOK && json.Unmarshal(a.body, &o) != nil {
			o.Status = "" // not an order: falls to the default case
		}
		switch {
		case a.err != nil || a.status >= 500:
			t.Errorf("finalize %d at %s: %d %v %s", i, r.at, a.status, a.err, a.body)
		case a.status == http.StatusOK && o.Status == "valid" && o.Certificate != "":
			certURLs[o.Certificate] = r.at
		case a.status == http.StatusOK && o.Status == "processing" && o.Certificate == "":
		case a.status == http.StatusForbidden && a.problem() == "urn:ietf:params:acme:error:orderNotReady":
		default:
			t.Errorf("finalize %d at %s: %d %s, want the valid order or orderNotReady", i, r.at, a.status, a.body)
		}
		t.Logf("finalize %d at %s: %d %s", i, r.at, a.status, strings.TrimSpace(string(a.body)))
	}
	if len(certURLs) != 1 {
		t.Fatalf("certificate URLs in the finalize answers: %v, want exactly one", certURLs)
	}
	var certURL string
	for u := range certURLs {
		certURL = u
	}

	// One certificate: in the database, in the inventory, at both replicas.
	if n := sqlQuery(t, rs.backend, rs.db, "SELECT COUNT(*) FROM certificates"); n != "1" {
		t.Errorf("%s certificates stored after the finalize race, want 1", n)
	}
	rows := inventoryFor(t, rs.a, name)
	if len(rows) != 1 || rows[0].Provisioner != acmeProvisioner {
		t.Fatalf("inventory rows for %s: %+v, want one by %q", name, rows, acmeProvisioner)
	}
	viaA, err := cA.FetchCert(ctx, certURL, true)
	if err != nil {
		t.Fatalf("download through A: %v", err)
	}
	viaB, err := cB.FetchCert(ctx, certURL, true)
	if err != nil {
		t.Fatalf("download through B: %v", err)
	}
	if !sameChain(viaA, viaB) {
		t.Error("the certificate downloaded through A differs from the one through B")
	}
	leaf, err := x509.ParseCertificate(viaA[0])
	if err != nil {
		t.Fatal(err)
	}
	rs.raced = viaA[0]
	if leaf.SerialNumber.String() != rows[0].Serial || !sameSet(leaf.DNSNames, []string{name}) || !csrKey.PublicKey.Equal(leaf.PublicKey) {
		t.Errorf("downloaded leaf: serial %s names %v; inventory serial %s", leaf.SerialNumber, leaf.DNSNames, rows[0].Serial)
	}
	if o, err := cB.GetOrder(ctx, order.URI); err != nil || o.Status != acme.StatusValid || o.CertURL != certURL {
		t.Errorf("the order at B: %+v %v, want valid with %s", o, err, certURL)
	}
}

// answerHTTP01 serves the order's one http-01 answer and asks c to have it
// validated; it returns the authorization's ID.
func (rs *acmeReplicaSet) answerHTTP01(ctx context.Context, t *testing.T, c *acme.Client, order *acme.Order) string {
	t.Helper()
	if len(order.AuthzURLs) != 1 {
		t.Fatalf("the order has %d authorizations, want 1", len(order.AuthzURLs))
	}
	z, err := c.GetAuthorization(ctx, order.AuthzURLs[0])
	if err != nil {
		t.Fatalf("reading the authorization: %v", err)
	}
	var chal *acme.Challenge
	for _, ch := range z.Challenges {
		if ch.Type == "http-01" {
			chal = ch
		}
	}
	if chal == nil {
		t.Fatalf("no http-01 challenge in %+v", z)
	}
	ka, err := c.HTTP01ChallengeResponse(chal.Token)
	if err != nil {
		t.Fatal(err)
	}
	rs.http01.set(chal.Token, ka)
	if _, err := c.Accept(ctx, chal); err != nil {
		t.Fatalf("accepting the challenge: %v", err)
	}
	p := urlPath(t, z.URI)
	return p[strings.LastIndex(p, "/")+1:]
}

// oneValidation checks that exactly one replica ran the validation of
// authorization id (one attempt, one request to the responder).
func (rs *acmeReplicaSet) oneValidation(t *testing.T, id string) {
	t.Helper()
	var na, nb int
	for deadline := time.Now().Add(2 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		na, nb = attemptsLogged(rs.a, id), attemptsLogged(rs.b, id)
		if na+nb > 0 || time.Now().After(deadline) {
			break
		}
	}
	if na+nb != 1 {
		t.Errorf("validation attempts logged for authz %s: A %d, B %d; want one in all", id, na, nb)
	}
	t.Logf("authz %s validated by replica %s", id, map[bool]string{true: "A", false: "B"}[na == 1])
}

func attemptsLogged(ca *runningCA, authzID string) int {
	n := 0
	for _, l := range strings.Split(ca.Log(), "\n") {
		if strings.Contains(l, "acme: validation attempt") && strings.Contains(l, authzID) {
			n++
		}
	}
	return n
}

func (rs *acmeReplicaSet) revokeAcrossReplicas(ctx context.Context, t *testing.T) {
	const name = "revoke.example.test"
	cA := rs.client(rs.viaA)
	order, err := cA.AuthorizeOrder(ctx, acme.DomainIDs(name))
	if err != nil {
		t.Fatalf("new-order at A: %v", err)
	}
	rs.answerHTTP01(ctx, t, cA, order)
	if o, err := cA.WaitOrder(ctx, order.URI); err != nil || o.Status != acme.StatusReady {
		t.Fatalf("the order at A: %+v %v, want ready", o, err)
	}
	_, csr := acmeCSR(t, name)
	chain, _, err := cA.CreateOrderCert(ctx, order.FinalizeURL, csr, true)
	if err != nil {
		t.Fatalf("finalize at A: %v", err)
	}
	// Hand-built: golang.org/x/crypto/acme reports alreadyRevoked as success.
	if ans := rs.revoke(t, rs.viaB, chain[0]); ans.status != http.StatusOK {
		t.Fatalf("revoking through B a certificate issued through A: %d %v %s", ans.status, ans.err, ans.body)
	}
	if ans := rs.revoke(t, rs.viaA, chain[0]); ans.status != http.StatusBadRequest || ans.problem() != "urn:ietf:params:acme:error:alreadyRevoked" {
		t.Errorf("revoking it again through A: %d %v %s, want 400 alreadyRevoked", ans.status, ans.err, ans.body)
	}

	// The finalize race's certificate, revoked three times at each replica
	// at once: one 200, five alreadyRevoked.
	if rs.raced == nil {
		t.Fatal("no certificate from the finalize race")
	}
	const perReplica = 3
	bodies := make([][]byte, 2*perReplica)
	for i := range bodies {
		bodies[i] = rs.revokeJWS(t, []*http.Client{rs.viaA, rs.viaB}[i%2], rs.raced)
	}
	out := make([]jwsAnswer, len(bodies))
	var start, done sync.WaitGroup
	start.Add(1)
	for i := range bodies {
		done.Add(1)
		go func() {
			defer done.Done()
			start.Wait()
			out[i] = postJWS([]*http.Client{rs.viaA, rs.viaB}[i%2], rs.revokeURL(), bodies[i])
		}()
	}
	start.Done()
	done.Wait()
	ok := 0
	for i, a := range out {
		switch {
		case a.status == http.StatusOK:
			ok++
		case a.status == http.StatusBadRequest && a.problem() == "urn:ietf:params:acme:error:alreadyRevoked":
		default:
			t.Errorf("concurrent revoke %d at %s: %d %v %s, want 200 or 400 alreadyRevoked", i, "AB"[i%2:i%2+1], a.status, a.err, a.body)
		}
	}
	if ok != 1 {
		t.Errorf("%d of %d concurrent revocations of one certificate succeeded, want 1", ok, len(out))
	}
	if rows := inventoryFor(t, rs.a, name); len(rows) != 1 || rows[0].RevokedAt == nil {
		t.Errorf("inventory rows for %s: %+v, want one, revoked", name, rows)
	}
}

func (rs *acmeReplicaSet) revokeURL() string {
	return rs.front + "/acme/" + acmeProvisioner + "/revoke-cert"
}

// revokeJWS is a revoke-cert request for der (reason keyCompromise) signed
// by the account, with a nonce from hc's replica.
func (rs *acmeReplicaSet) revokeJWS(t *testing.T, hc *http.Client, der []byte) []byte {
	t.Helper()
	payload, _ := json.Marshal(map[string]any{"certificate": base64.RawURLEncoding.EncodeToString(der), "reason": 1})
	return signJWS(t, rs.key, rs.kid, fetchNonce(t, hc, rs.front), rs.revokeURL(), payload)
}

func (rs *acmeReplicaSet) revoke(t *testing.T, hc *http.Client, der []byte) jwsAnswer {
	t.Helper()
	return postJWS(hc, rs.revokeURL(), rs.revokeJWS(t, hc, der))
}
