package e2e

// Issue 4's acceptance for several stride-ca processes on one store, and for
// a store that dies or goes away under a running CA: replicas on PostgreSQL
// and MariaDB racing on one-time tokens, revocation seen across replicas,
// simultaneous start on an empty database, kill -9 under load, bad DSNs at
// start, a database cut mid-run, and a second process on one bbolt file.
// stride-ca only: step-ca does not promise any of it.

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// sqlBackends are the machine's servers (scripts/services.sh) with the
// dataSource syntax step's ca.json uses for each.
var sqlBackends = map[string]string{
	"postgresql": "postgresql://postgres@127.0.0.1:5432/",
	"mysql":      "root@tcp(127.0.0.1:3306)/",
}

// perRunDatabase is a fresh database name that cleanup drops on both servers.
func perRunDatabase(t *testing.T) string {
	t.Helper()
	b := make([]byte, 4)
	rand.Read(b)
	db := "stride_e2e_" + hex.EncodeToString(b)
	t.Cleanup(func() { dropDatabase(t, db) })
	return db
}

func dropDatabase(t *testing.T, db string) {
	e := newEnv(t)
	e.exec("psql", "", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-c",
		fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", db))
	e.exec("mariadb", "", "-h", "127.0.0.1", "-u", "root", "-e", fmt.Sprintf("DROP DATABASE IF EXISTS %s", db))
}

// sqlQuery runs one query on backend's database db and returns its rows,
// tab-separated.
func sqlQuery(t *testing.T, backend, db, query string) string {
	t.Helper()
	e := newEnv(t)
	var r result
	if backend == "postgresql" {
		r = e.exec("psql", "", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-At", "-F", "\t", "-c", query)
	} else {
		r = e.exec("mariadb", "", "-h", "127.0.0.1", "-u", "root", "-N", "-B", db, "-e", query)
	}
	return strings.TrimSpace(must(t, r).stdout)
}

// dbConfig is ca.json's "db" for backend on database db.
func dbConfig(backend, db string) map[string]any {
	return map[string]any{"type": backend, "dataSource": sqlBackends[backend], "database": db}
}

// replica writes a copy of ca's ca.json with another address (and, when
// db is not nil, another "db"), and returns a runningCA for it, not yet
// started: same PKI directory, same password, its own port and log.
func (ca *runningCA) replica(t *testing.T, name string, db map[string]any) *runningCA {
	t.Helper()
	port := freePort(t)
	b, err := os.ReadFile(ca.CAConfig)
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	if err := json.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	cfg["address"] = fmt.Sprintf("127.0.0.1:%d", port)
	if db != nil {
		cfg["db"] = db
	}
	if b, err = json.MarshalIndent(cfg, "", "\t"); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(filepath.Dir(ca.CAConfig), name+".json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	r := &runningCA{t: t, kind: ca.kind, env: ca.env, Port: port, URL: fmt.Sprintf("https://127.0.0.1:%d", port),
		Root: ca.Root, Fingerprint: ca.Fingerprint, CAConfig: path, Password: ca.Password,
		log: &lockedBuffer{}, exited: make(chan struct{}), rootPool: ca.rootPool}
	return r
}

// launch starts the process without waiting for it to serve (start waits).
func (ca *runningCA) launch() {
	t := ca.t
	t.Helper()
	cmd := exec.Command(filepath.Join(binDir, strideCA), ca.CAConfig, "--password-file", ca.Password)
	cmd.Dir = ca.env.dir
	cmd.Env = append(os.Environ(), "STEPPATH="+ca.env.stepPath, "STRIDEPATH="+ca.env.stepPath, "HOME="+ca.env.dir)
	cmd.Stdout, cmd.Stderr = ca.log, ca.log
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", ca.kind, err)
	}
	ca.cmd = cmd
	go func() { cmd.Wait(); close(ca.exited) }()
	t.Cleanup(ca.stop)
}

// kill9 sends SIGKILL and waits for the process to be gone; restart then
// starts it again on the same config.
func (ca *runningCA) kill9() {
	ca.cmd.Process.Kill()
	<-ca.exited
}

// signReq is a pre-made /sign request.
type signReq struct{ csr, ott string }

// signRequests pre-mints n sign tokens for sub, all for one CSR (a CA may
// sign one CSR many times: every certificate gets its own serial).
func signRequests(t *testing.T, m *minter, sub string, n int) []signReq {
	t.Helper()
	csr := makeCSR(t, sub, sub)
	out := make([]signReq, n)
	for i := range out {
		out[i] = signReq{csr, m.signToken(t, sub)}
	}
	return out
}

// signOnce is a /sign that must succeed; it returns the leaf.
func (ca *runningCA) signOnce(t *testing.T, m *minter, sub string) *x509.Certificate {
	t.Helper()
	code, body := ca.post(t, ca.httpClient(), "/sign", map[string]string{"csr": makeCSR(t, sub, sub), "ott": m.signToken(t, sub)})
	if code != 201 {
		t.Fatalf("%s /sign: %d %s", ca.URL, code, body)
	}
	return leafOf(t, body)
}

// leafOf parses the leaf of a /sign or /renew answer.
func leafOf(t *testing.T, body []byte) *x509.Certificate {
	t.Helper()
	var resp struct {
		Crt string `json:"crt"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		t.Fatalf("sign answer: %v: %s", err, body)
	}
	blk, _ := pem.Decode([]byte(resp.Crt))
	if blk == nil {
		t.Fatalf("sign answer holds no certificate: %s", body)
	}
	c, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestReplicasOnSQL: two stride-ca processes serve one PKI directory on
// one PostgreSQL (or MariaDB) database, no proxy between them. Each of 200
// tokens is sent to both at the same instant: exactly one 201 and one 401,
// never a 5xx or a dropped connection. A certificate revoked through A
// cannot be renewed through B. Two more replicas started at the same moment
// on an empty database both serve, and the schema was migrated once.
func TestReplicasOnSQL(t *testing.T) {
	t.Parallel()
	for backend := range sqlBackends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			db := perRunDatabase(t)
			a := startCA(t, strideCA, caOptions{setup: func(t *testing.T, ca *runningCA) {
				ca.editConfig(func(cfg map[string]any) { cfg["db"] = dbConfig(backend, db) })
			}})
			b := a.replica(t, "ca-b", nil)
			b.start()
			t.Run("one winner per token", func(t *testing.T) { replayAcrossReplicas(t, a, b) })
			t.Run("revocation seen across replicas", func(t *testing.T) { revokeAcrossReplicas(t, a, b) })
			t.Run("simultaneous start on an empty database", func(t *testing.T) { simultaneousStart(t, a, backend) })
		})
	}
}

func replayAcrossReplicas(t *testing.T, a, b *runningCA) {
	const n, inflight = 200, 16
	m := a.minter(t, provisionerName)
	// Audiences ignore the port: tokens minted for A's URL are good at B.
	reqs := signRequests(t, m, "race.example.com", n)
	ca, cb := a.httpClient(), b.httpClient()
	type outcome struct {
		codes [2]int
		errs  [2]error
		body  [2]string
	}
	out := make([]outcome, n)
	sem := make(chan struct{}, inflight)
	var wg sync.WaitGroup
	for i, r := range reqs {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			var start, done sync.WaitGroup
			start.Add(1)
			for j, c := range []*http.Client{ca, cb} {
				url := a.URL
				if j == 1 {
					url = b.URL
				}
				done.Add(1)
				go func() {
					defer done.Done()
					start.Wait()
					out[i].codes[j], out[i].body[j], out[i].errs[j] = postSign(c, url, r.csr, r.ott)
				}()
			}
			start.Done()
			done.Wait()
		}()
	}
	wg.Wait()
	wins := [2]int{}
	bad := 0
	for i, o := range out {
		ok := (o.codes == [2]int{201, 401}) || (o.codes == [2]int{401, 201})
		if ok {
			if o.codes[0] == 201 {
				wins[0]++
			} else {
				wins[1]++
			}
			loser := o.body[0] + o.body[1]
			if !strings.Contains(loser, "token already used") {
				t.Errorf("token %d: the 401 does not say the token was used: %s", i, loser)
			}
			continue
		}
		if bad++; bad <= 5 {
			t.Errorf("token %d: A %d %v %s / B %d %v %s, want one 201 and one 401", i,
				o.codes[0], o.errs[0], o.body[0], o.codes[1], o.errs[1], o.body[1])
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d tokens did not get exactly one 201 and one 401", bad, n)
	}
	t.Logf("%d tokens: A won %d, B won %d", n, wins[0], wins[1])
}

// mtlsClient presents leaf (with the CA's intermediate) and key.
func (ca *runningCA) mtlsClient(t *testing.T, leaf *x509.Certificate, key *ecdsa.PrivateKey) *http.Client {
	t.Helper()
	inter := readCert(t, filepath.Join(ca.env.stepPath, "certs", "intermediate_ca.crt"))
	c := ca.httpClient()
	c.Transport.(*http.Transport).TLSClientConfig.Certificates = []tls.Certificate{
		{Certificate: [][]byte{leaf.Raw, inter.Raw}, PrivateKey: key, Leaf: leaf}}
	return c
}

func revokeAcrossReplicas(t *testing.T, a, b *runningCA) {
	m := a.minter(t, provisionerName)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: pkix.Name{CommonName: "revoked.example.com"}, DNSNames: []string{"revoked.example.com"}}, key)
	if err != nil {
		t.Fatal(err)
	}
	csr := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}))
	code, body := a.post(t, a.httpClient(), "/sign", map[string]string{"csr": csr, "ott": m.signToken(t, "revoked.example.com")})
	if code != 201 {
		t.Fatalf("sign through A: %d %s", code, body)
	}
	leaf := leafOf(t, body)
	// Issued by A, renewable through B before the revocation.
	if code, body := b.post(t, b.mtlsClient(t, leaf, key), "/renew", ""); code != 201 {
		t.Fatalf("renew through B before the revocation: %d %s", code, body)
	}
	serial := leaf.SerialNumber.String()
	tok := m.sign(t, m.claims(serial, a.URL+"/1.0/revoke"), m.key)
	if code, body := a.post(t, a.httpClient(), "/revoke",
		map[string]any{"serial": serial, "ott": tok, "passive": true, "reasonCode": 1}); code != 200 {
		t.Fatalf("revoke through A: %d %s", code, body)
	}
	code, body = b.post(t, b.mtlsClient(t, leaf, key), "/renew", "")
	if code != 401 || !strings.Contains(string(body), "revoked") {
		t.Errorf("renew of a certificate revoked through A, through B: %d %s; want 401 saying revoked", code, body)
	}
	// And the step CLI agrees (it renews over mTLS with the files).
	c := b.client(t)
	crt := c.write("revoked.crt", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leaf.Raw})))
	kder, _ := x509.MarshalECPrivateKey(key)
	kp := c.write("revoked.key", string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})))
	refused(t, c.step("ca", "renew", "--force", crt, kp), "has been revoked")
}

// simultaneousStart starts two replicas of a's PKI at the same moment on a
// database that does not exist yet: both serve, and every migration is
// recorded once.
func simultaneousStart(t *testing.T, a *runningCA, backend string) {
	db := perRunDatabase(t)
	c1 := a.replica(t, "ca-c1", dbConfig(backend, db))
	c2 := a.replica(t, "ca-c2", dbConfig(backend, db))
	c1.launch()
	c2.launch()
	for _, c := range []*runningCA{c1, c2} {
		if err := c.waitHealthy(20 * time.Second); err != nil {
			t.Fatalf("replica %s on an empty database: %v\n%s", c.URL, err, c.Log())
		}
	}
	waitNextSecond()
	m := a.minter(t, provisionerName)
	for _, c := range []*runningCA{c1, c2} {
		c.signOnce(t, m, "fresh.example.com")
	}
	rows := sqlQuery(t, backend, db, "SELECT version, COUNT(*) FROM schema_migrations GROUP BY version ORDER BY version")
	total := sqlQuery(t, backend, db, "SELECT COUNT(*) FROM schema_migrations")
	files, _ := filepath.Glob(filepath.Join(repoRoot, "internal", "storage", map[string]string{
		"postgresql": "postgres", "mysql": "mysql"}[backend], "migrations", "*.sql"))
	if total != fmt.Sprint(len(files)) || rows == "" {
		t.Errorf("schema_migrations holds %s rows (%q), want one per migration file (%d)", total, rows, len(files))
	}
	for _, l := range strings.Split(rows, "\n") {
		if f := strings.Fields(l); len(f) != 2 || f[1] != "1" {
			t.Errorf("schema_migrations row %q: a version applied more than once", l)
		}
	}
	if n := sqlQuery(t, backend, db, "SELECT COUNT(*) FROM certificates"); n != "2" {
		t.Errorf("%s certificates recorded, want 2", n)
	}
}

// TestSecondProcessOnBolt: two processes cannot share a bbolt file (that is
// what the SQL backends are for); the second one fails at once, in one line
// that says so, and the first keeps serving.
func TestSecondProcessOnBolt(t *testing.T) {
	t.Parallel()
	a := startCA(t, strideCA, caOptions{})
	b := a.replica(t, "ca-b", nil)
	begin := time.Now()
	r := a.env.strideCA(b.CAConfig, "--password-file", a.Password)
	if took := time.Since(begin); took > 10*time.Second {
		t.Errorf("the second process took %v to give up", took)
	}
	mustFail(t, r, "in use by another stride-ca process")
	if !a.alive() {
		t.Fatal("the first process died")
	}
	a.signOnce(t, a.minter(t, provisionerName), "still.example.com")
}
