package e2e

// `stride ca provisioner list|add|update|remove` edit ca.json directly, as
// step does for a CA without remote management. These scenarios check the
// edits against both servers (stride-ca and step-ca load them on SIGHUP
// and the real step CLI uses the new provisioner) and that a ca.json
// edited by the real `step ca provisioner add` reads back through stride.

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// listedProvisioners parses the JSON array `provisioner list` prints.
func listedProvisioners(t *testing.T, r result) []map[string]any {
	t.Helper()
	var out []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("provisioner list did not print a JSON array: %v\n%s", err, r)
	}
	return out
}

func provisionerByName(list []map[string]any, name string) map[string]any {
	for _, p := range list {
		if p["name"] == name {
			return p
		}
	}
	return nil
}

func kidOf(p map[string]any) string {
	k, _ := p["key"].(map[string]any)
	s, _ := k["kid"].(string)
	return s
}

func TestCLIProvisionerAddReloadIssue(t *testing.T) {
	forEachCA(t, func(t *testing.T, ca *runningCA) {
		e := ca.env
		pw := e.write("jim-pw", "jim's own password\n")
		r := must(t, e.stride("ca", "provisioner", "add", "jim@example.com", "--create", "--password-file", pw,
			"--x509-default-dur", "12h", "--ca-config", ca.CAConfig))
		if !strings.Contains(r.stderr, "SIGHUP") {
			t.Errorf("no reload hint: %s", r)
		}
		local := listedProvisioners(t, must(t, e.stride("ca", "provisioner", "list", "--ca-config", ca.CAConfig)))
		jim := provisionerByName(local, "jim@example.com")
		if jim == nil || kidOf(jim) == "" || jim["encryptedKey"] == nil {
			t.Fatalf("stride list does not show the new provisioner: %v", local)
		}
		ca.sighup()

		c := ca.client(t)
		must(t, c.step("ca", "certificate", "jim.example.com", c.path("jim.crt"), c.path("jim.key"),
			"--provisioner", "jim@example.com", "--provisioner-password-file", pw))
		leaf := ca.checkLeaf(t, c, c.path("jim.crt"), "jim.example.com")
		if got := leaf.NotAfter.Sub(leaf.NotBefore); got < 11*time.Hour || got > 13*time.Hour {
			t.Errorf("lifetime %v, want about the provisioner's 12h default", got)
		}

		remote := listedProvisioners(t, must(t, c.step("ca", "provisioner", "list", "--ca-url", ca.URL, "--root", ca.Root)))
		if p := provisionerByName(remote, "jim@example.com"); p == nil || kidOf(p) != kidOf(jim) {
			t.Errorf("step ca provisioner list does not show jim@example.com with kid %s: %v", kidOf(jim), remote)
		}
		viaStride := listedProvisioners(t, must(t, c.stride("ca", "provisioner", "list", "--ca-url", ca.URL, "--root", ca.Root)))
		if !reflect.DeepEqual(viaStride, remote) {
			t.Errorf("stride and step list the CA's provisioners differently:\nstride %v\nstep   %v", viaStride, remote)
		}
	})
}

// TestCLIProvisionerReloadFlag: --reload --pid-file signals the CA itself;
// an updated claim and a removal take effect after it.
func TestCLIProvisionerReloadFlag(t *testing.T) {
	forEachCA(t, func(t *testing.T, ca *runningCA) {
		e := ca.env
		pidFile := e.write("ca.pid", strconv.Itoa(ca.PID())+"\n")
		reloaded := ca.expectReload(t, func() {
			must(t, e.stride("ca", "provisioner", "update", provisionerName, "--x509-default-dur", "2h",
				"--ca-config", ca.CAConfig, "--reload", "--pid-file", pidFile))
		})
		if !reloaded {
			return
		}
		c := ca.client(t)
		must(t, c.step("ca", "certificate", "two.example.com", c.path("two.crt"), c.path("two.key"),
			"--provisioner", provisionerName, "--provisioner-password-file", ca.Password))
		leaf := readCert(t, c.path("two.crt"))
		if got := leaf.NotAfter.Sub(leaf.NotBefore); got > 3*time.Hour {
			t.Errorf("lifetime %v after the update to 2h", got)
		}

		pw := e.write("ann-pw", "ann\n")
		must(t, e.stride("ca", "provisioner", "add", "ann", "--create", "--password-file", pw, "--ca-config", ca.CAConfig))
		ca.expectReload(t, func() {
			must(t, e.stride("ca", "provisioner", "remove", "ann", "--ca-config", ca.CAConfig, "--reload", "--pid-file", pidFile))
		})
		remote := listedProvisioners(t, must(t, c.step("ca", "provisioner", "list", "--ca-url", ca.URL, "--root", ca.Root)))
		if provisionerByName(remote, "ann") != nil || provisionerByName(remote, provisionerName) == nil {
			t.Errorf("after remove + reload the CA lists %v", remote)
		}
	})
}

// expectReload runs fn, which must make the server reload, and waits for
// the reload to finish as sighup does. It reports whether it did.
func (ca *runningCA) expectReload(t *testing.T, fn func()) bool {
	t.Helper()
	before := len(reloadDone[ca.kind].FindAllStringIndex(ca.Log(), -1))
	fn()
	deadline := time.Now().Add(10 * time.Second)
	for len(reloadDone[ca.kind].FindAllStringIndex(ca.Log(), -1)) <= before {
		if !ca.alive() || time.Now().After(deadline) {
			t.Errorf("%s did not reload after --reload (alive %v):\n%s", ca.kind, ca.alive(), ca.logTail(20))
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := ca.waitHealthy(10 * time.Second); err != nil {
		t.Fatalf("%s unhealthy after reload: %v", ca.kind, err)
	}
	waitNextSecond()
	return true
}

// TestCLIProvisionerReadsStepEdits: a ca.json written by the real `step ca
// provisioner add` (JWK, ACME, X5C) is listed by stride exactly as stored,
// and a stride update keeps what step wrote.
func TestCLIProvisionerReadsStepEdits(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	pw := e.write("pw", testPassword+"\n")
	must(t, e.step("ca", "init", "--name", "StepEdits", "--dns", "localhost", "--address", "127.0.0.1:1",
		"--provisioner", provisionerName, "--password-file", pw, "--provisioner-password-file", pw,
		"--deployment-type", "standalone"))
	caJSON := filepath.Join(e.stepPath, "config", "ca.json")
	root := filepath.Join(e.stepPath, "certs", "root_ca.crt")
	must(t, e.step("ca", "provisioner", "add", "jim@example.com", "--create", "--password-file", pw,
		"--x509-max-dur", "48h", "--ca-config", caJSON))
	must(t, e.step("ca", "provisioner", "add", "acme", "--type", "ACME", "--challenge", "dns-01", "--force-cn", "--ca-config", caJSON))
	must(t, e.step("ca", "provisioner", "add", "x5c", "--type", "X5C", "--x5c-roots", root, "--ca-config", caJSON))

	listed := listedProvisioners(t, must(t, e.stride("ca", "provisioner", "list", "--ca-config", caJSON)))
	stored := storedProvisioners(t, caJSON)
	if !reflect.DeepEqual(listed, stored) {
		t.Errorf("stride list differs from the ca.json step wrote:\nlisted %v\nstored %v", listed, stored)
	}
	if len(listed) != 4 {
		t.Errorf("want 4 provisioners, got %d", len(listed))
	}

	must(t, e.stride("ca", "provisioner", "update", "jim@example.com", "--x509-default-dur", "36h", "--ca-config", caJSON))
	must(t, e.stride("ca", "provisioner", "update", "acme", "--challenge", "http-01", "--ca-config", caJSON))
	after := storedProvisioners(t, caJSON)
	jim, was := provisionerByName(after, "jim@example.com"), provisionerByName(stored, "jim@example.com")
	claims := jim["claims"].(map[string]any)
	if claims["defaultTLSCertDuration"] != "36h0m0s" || claims["maxTLSCertDuration"] != "48h0m0s" ||
		!reflect.DeepEqual(jim["options"], was["options"]) || jim["encryptedKey"] != was["encryptedKey"] {
		t.Errorf("update lost what step wrote:\nbefore %v\nafter  %v", was, jim)
	}
	if got := provisionerByName(after, "acme")["challenges"]; !reflect.DeepEqual(got, []any{"dns-01", "http-01"}) {
		t.Errorf("acme challenges after update: %v", got)
	}
	if !reflect.DeepEqual(provisionerByName(after, "x5c"), provisionerByName(stored, "x5c")) {
		t.Errorf("the X5C provisioner changed though not named")
	}
	mustFail(t, e.stride("ca", "provisioner", "add", "acme", "--type", "ACME", "--ca-config", caJSON), `"acme"`)
}

func storedProvisioners(t *testing.T, caJSON string) []map[string]any {
	t.Helper()
	b, err := os.ReadFile(caJSON)
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Authority struct {
			Provisioners []map[string]any `json:"provisioners"`
		} `json:"authority"`
	}
	if err := json.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	return cfg.Authority.Provisioners
}
