package e2e

import (
	"encoding/base64"
	"encoding/json"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

// sshCert is what `ssh-keygen -L -f` says about an SSH certificate.
type sshCert struct {
	Type       string // e.g. "ssh-ed25519-cert-v01@openssh.com user certificate"
	KeyID      string
	Serial     string
	From, To   time.Time
	Principals []string
}

var sshValidRE = regexp.MustCompile(`Valid: from (\S+) to (\S+)`)

// inspectSSHCert runs ssh-keygen -L on an SSH certificate file and parses
// the fields the tests check. ssh-keygen prints local times.
func inspectSSHCert(t *testing.T, e *env, path string) sshCert {
	t.Helper()
	r := must(t, e.exec("ssh-keygen", "", "-L", "-f", path))
	var c sshCert
	lines := strings.Split(r.stdout, "\n")
	for i, l := range lines {
		l = strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(l, "Type: "):
			c.Type = strings.TrimPrefix(l, "Type: ")
		case strings.HasPrefix(l, "Key ID: "):
			c.KeyID = strings.Trim(strings.TrimPrefix(l, "Key ID: "), `"`)
		case strings.HasPrefix(l, "Serial: "):
			c.Serial = strings.TrimPrefix(l, "Serial: ")
		case strings.HasPrefix(l, "Valid: "):
			m := sshValidRE.FindStringSubmatch(l)
			if m == nil {
				t.Fatalf("ssh-keygen validity %q", l)
			}
			var err1, err2 error
			c.From, err1 = time.ParseInLocation("2006-01-02T15:04:05", m[1], time.Local)
			c.To, err2 = time.ParseInLocation("2006-01-02T15:04:05", m[2], time.Local)
			if err1 != nil || err2 != nil {
				t.Fatalf("ssh-keygen validity %q: %v %v", l, err1, err2)
			}
		case l == "Principals:" || l == "Principals: ":
			for _, p := range lines[i+1:] {
				if !strings.HasPrefix(p, "                ") {
					break
				}
				c.Principals = append(c.Principals, strings.TrimSpace(p))
			}
		}
	}
	if c.Type == "" || c.KeyID == "" || c.Serial == "" || c.From.IsZero() {
		t.Fatalf("ssh-keygen -L output not understood:\n%s", r.stdout)
	}
	return c
}

// tokenClaims decodes a JWT's payload without verifying it.
func tokenClaims(t *testing.T, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(strings.TrimSpace(tok), ".")
	if len(parts) != 3 {
		t.Fatalf("not a compact JWS: %q", tok)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("token payload: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("token payload: %v", err)
	}
	return m
}

func claimNames(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// near reports whether got is within slack of want.
func near(got, want time.Time, slack time.Duration) bool {
	d := got.Sub(want)
	return d >= -slack && d <= slack
}

// sshCAOptions is a step-ca whose PKI was made with `step ca init --ssh`:
// SSH user and host keys, enableSSHCA on the JWK provisioner and an sshpop
// provisioner next to it.
var sshCAOptions = caOptions{stepCAOnly: "stride-ca has no SSH CA yet", initArgs: []string{"--ssh"}}

// TestStepCASSHTokens (issue 5): SSH tokens minted by `stride ca token --ssh`
// are used by the real step CLI against a real step-ca with SSH keys:
// `step ssh certificate --sign --token` gets a user and a host certificate,
// which ssh-keygen -L shows with the key ID, principals, type and validity
// the tokens asked for. Principals the token does not list are refused by
// the CA. An --offline SSH token has step's offline audience and claims and
// is signed too. SSH revoke/renew/rekey tokens have the shape of step's, and
// step-ca revokes both certificates with stride's revoke tokens. Runs
// against step-ca only: stride-ca has no SSH CA yet.
func TestStepCASSHTokens(t *testing.T) {
	t.Parallel()
	forEachCAWith(t, sshCAOptions, func(t *testing.T, ca *runningCA) {
		c := newEnv(t)
		must(t, c.stride("ca", "bootstrap", "--ca-url", ca.URL, "--fingerprint", ca.Fingerprint))
		must(t, c.step("ca", "bootstrap", "--ca-url", ca.URL, "--fingerprint", ca.Fingerprint))
		pw := ca.Password

		// A user certificate: two principals (-n and --principal), 2 hours.
		tok := strings.TrimSpace(must(t, c.stride("ca", "token", "alice@example.com", "--ssh", "-n", "alice", "--principal", "admin",
			"--cert-not-after", "2h", "--provisioner-password-file", pw)).stdout)
		cl := tokenClaims(t, tok)
		if cl["aud"] != ca.URL+"/1.0/ssh/sign" || cl["sub"] != "alice@example.com" || cl["sans"] != nil {
			t.Errorf("user token claims: %v", cl)
		}
		must(t, c.exec("ssh-keygen", "", "-q", "-t", "ed25519", "-N", "", "-f", c.path("id_alice")))
		// Asking for a principal the token does not list is refused by step-ca.
		refused(t, c.step("ssh", "certificate", "alice@example.com", c.path("id_alice.pub"), "--sign", "--token", tok,
			"-n", "alice", "-n", "root"), "principals")
		tok = strings.TrimSpace(must(t, c.stride("ca", "token", "alice@example.com", "--ssh", "-n", "alice", "--principal", "admin",
			"--cert-not-after", "2h", "--provisioner-password-file", pw)).stdout)
		start := time.Now()
		must(t, c.step("ssh", "certificate", "alice@example.com", c.path("id_alice.pub"), "--sign", "--token", tok,
			"-n", "alice", "-n", "admin"))
		user := inspectSSHCert(t, c, c.path("id_alice-cert.pub"))
		if user.Type != "ssh-ed25519-cert-v01@openssh.com user certificate" || user.KeyID != "alice@example.com" ||
			!sameSet(user.Principals, []string{"alice", "admin"}) {
			t.Errorf("user certificate: %+v", user)
		}
		if user.From.After(start) || !near(user.To, start.Add(2*time.Hour), 2*time.Minute) {
			t.Errorf("user certificate valid %v – %v, want from before %v for about 2h", user.From, user.To, start)
		}

		// A host certificate with absolute bounds: the certificate has exactly them.
		nb := time.Now().Add(2 * time.Minute).Truncate(time.Second)
		na := nb.Add(3 * time.Hour)
		tok = strings.TrimSpace(must(t, c.stride("ca", "token", "web1.internal", "--ssh", "--host", "-n", "web1.internal", "-n", "10.0.0.1",
			"--cert-not-before", nb.UTC().Format(time.RFC3339), "--cert-not-after", na.UTC().Format(time.RFC3339),
			"--provisioner-password-file", pw)).stdout)
		step := tokenClaims(t, tok)["step"]
		if b, _ := json.Marshal(step); !strings.Contains(string(b), `"certType":"host"`) {
			t.Errorf("host token step claim: %s", b)
		}
		must(t, c.exec("ssh-keygen", "", "-q", "-t", "ecdsa", "-N", "", "-f", c.path("ssh_host_ecdsa_key")))
		must(t, c.step("ssh", "certificate", "web1.internal", c.path("ssh_host_ecdsa_key.pub"), "--host", "--sign", "--token", tok,
			"-n", "web1.internal", "-n", "10.0.0.1"))
		host := inspectSSHCert(t, c, c.path("ssh_host_ecdsa_key-cert.pub"))
		if host.Type != "ecdsa-sha2-nistp256-cert-v01@openssh.com host certificate" || host.KeyID != "web1.internal" ||
			!sameSet(host.Principals, []string{"web1.internal", "10.0.0.1"}) {
			t.Errorf("host certificate: %+v", host)
		}
		if !host.From.Equal(nb) || !host.To.Equal(na) {
			t.Errorf("host certificate valid %v – %v, want %v – %v", host.From, host.To, nb, na)
		}

		// An offline SSH token (issue 5, gap 3) has step's offline audience
		// and step claim, and step-ca signs with it.
		offline := func(tool func(...string) result, config string) map[string]any {
			t.Helper()
			return tokenClaims(t, must(t, tool("ca", "token", "bob@example.com", "--ssh", "-n", "bob", "--cert-not-after", "1h",
				"--offline", "--ca-config", config, "--provisioner", provisionerName,
				"--provisioner-password-file", pw, "--password-file", pw)).stdout)
		}
		// step resolves ca.json's SSH template paths under its STEPPATH: it
		// runs in the CA's.
		ours, theirs := offline(c.stride, ca.CAConfig), offline(ca.env.step, caConfigWithoutDB(t, c, ca))
		ourStep, _ := json.Marshal(ours["step"])
		theirStep, _ := json.Marshal(theirs["step"])
		if ours["aud"] != "https://localhost/ssh/sign" || ours["aud"] != theirs["aud"] || string(ourStep) != string(theirStep) {
			t.Errorf("offline SSH token: aud %v step %s; step's: aud %v step %s", ours["aud"], ourStep, theirs["aud"], theirStep)
		}
		tok = strings.TrimSpace(must(t, c.stride("ca", "token", "bob@example.com", "--ssh", "-n", "bob", "--offline", "--ca-config", ca.CAConfig,
			"--provisioner-password-file", pw)).stdout)
		must(t, c.exec("ssh-keygen", "", "-q", "-t", "ed25519", "-N", "", "-f", c.path("id_bob")))
		must(t, c.step("ssh", "certificate", "bob@example.com", c.path("id_bob.pub"), "--sign", "--token", tok, "-n", "bob"))
		if bob := inspectSSHCert(t, c, c.path("id_bob-cert.pub")); bob.KeyID != "bob@example.com" || !sameSet(bob.Principals, []string{"bob"}) {
			t.Errorf("certificate from an offline token: %+v", bob)
		}

		// Gap 2: --ssh with --revoke, --renew or --rekey mints the token step's
		// CLI does for the same flags: same audience, same claims (no step
		// claim, no sans), SUBJECT as sub.
		for _, op := range []string{"revoke", "renew", "rekey"} {
			ours := tokenClaims(t, must(t, c.stride("ca", "token", host.Serial, "--ssh", "--"+op, "--provisioner-password-file", pw)).stdout)
			theirs := tokenClaims(t, must(t, c.step("ca", "token", host.Serial, "--ssh", "--"+op,
				"--provisioner", provisionerName, "--provisioner-password-file", pw)).stdout)
			if ours["aud"] != ca.URL+"/1.0/ssh/"+op || ours["aud"] != theirs["aud"] {
				t.Errorf("--ssh --%s: aud %v, step's %v", op, ours["aud"], theirs["aud"])
			}
			if got, want := claimNames(ours), claimNames(theirs); strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("--ssh --%s: claims %v, step's %v", op, got, want)
			}
			for _, k := range []string{"sub", "iss", "sha"} {
				if ours[k] != theirs[k] {
					t.Errorf("--ssh --%s: %s %v, step's %v", op, k, ours[k], theirs[k])
				}
			}
		}
		// Certificate flags do not shape such a token: step ignores them, we
		// say so on stderr and leave stdout to the token.
		r := must(t, c.stride("ca", "token", host.Serial, "--ssh", "--revoke", "--host", "-n", "web1.internal",
			"--cert-not-after", "1h", "--provisioner-password-file", pw))
		if cl := tokenClaims(t, r.stdout); cl["step"] != nil || cl["aud"] != ca.URL+"/1.0/ssh/revoke" {
			t.Errorf("revoke token with certificate flags: %v", cl)
		}
		if !strings.Contains(r.stderr, "--host, --principal, --cert-not-after ignored") {
			t.Errorf("no warning about the ignored flags: %s", r)
		}
		// Without --ssh, step refuses --renew unless --x5c-cert is given (a
		// JWK token cannot renew an X.509 certificate); so do we.
		refused(t, c.step("ca", "token", "foo.example.com", "--renew", "--provisioner", provisionerName, "--provisioner-password-file", pw), "--x5c-cert")
		mustFail(t, c.stride("ca", "token", "foo.example.com", "--renew", "--provisioner-password-file", pw), "--x5c-cert")
		// step refuses --ssh with --san; so do we.
		mustFail(t, c.stride("ca", "token", host.Serial, "--ssh", "--revoke", "--san", "x.example.com",
			"--provisioner-password-file", pw), "--san")

		// step-ca takes a stride SSH revoke token: the real step CLI revokes the
		// user certificate with it, and a POST /ssh/revoke the host certificate.
		tok = strings.TrimSpace(must(t, c.stride("ca", "token", user.Serial, "--ssh", "--revoke", "--provisioner-password-file", pw)).stdout)
		r = must(t, c.step("ssh", "revoke", user.Serial, "--token", tok, "--reasonCode", "1"))
		if !strings.Contains(r.stdout+r.stderr, "has been revoked") {
			t.Errorf("step ssh revoke: %s", r)
		}
		revoke := func() (int, []byte) {
			tok := strings.TrimSpace(must(t, c.stride("ca", "token", host.Serial, "--ssh", "--revoke", "--provisioner-password-file", pw)).stdout)
			return ca.post(t, ca.httpClient(), "/ssh/revoke", map[string]any{"serial": host.Serial, "ott": tok, "passive": true, "reasonCode": 4})
		}
		if code, body := revoke(); code != 200 || !strings.Contains(string(body), `"ok"`) {
			t.Errorf("POST /ssh/revoke: %d %s", code, body)
		}
		// The revocation was recorded: a second one is refused.
		if code, body := revoke(); code != 400 || !strings.Contains(string(body), "already revoked") {
			t.Errorf("second POST /ssh/revoke: %d %s, want 400 already revoked", code, body)
		}
	})
}
