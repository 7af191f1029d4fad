package e2e

// stride and step print the same thing for the same input: `ca roots`,
// `ca federation` and `ca root` of one CA, and `certificate inspect
// --format json` of one issued certificate.

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
)

func TestCLICompareWithStep(t *testing.T) {
	forEachCA(t, func(t *testing.T, ca *runningCA) {
		c := strideClient(t, ca)
		step := ca.client(t)
		for _, args := range [][]string{{"ca", "roots"}, {"ca", "federation"}, {"ca", "root"}} {
			ours, theirs := must(t, c.stride(args...)), must(t, step.step(args...))
			if ours.stdout != theirs.stdout {
				t.Errorf("stride %s:\n%s\nstep %[1]s:\n%s", strings.Join(args, " "), ours.stdout, theirs.stdout)
			}
		}
		// --format json carries the same PEM.
		var roots []struct{ PEM, Fingerprint string }
		if err := json.Unmarshal([]byte(must(t, c.stride("ca", "roots", "--format", "json")).stdout), &roots); err != nil ||
			len(roots) != 1 || roots[0].Fingerprint != ca.Fingerprint || roots[0].PEM != must(t, step.step("ca", "roots")).stdout {
			t.Errorf("ca roots --format json: %+v (%v)", roots, err)
		}

		must(t, c.stride("ca", "certificate", "cmp.example.com", "cmp.crt", "cmp.key", "--provisioner-password-file", ca.Password,
			"--san", "cmp.example.com", "--san", "127.0.0.1", "--san", "ops@example.com", "--san", "spiffe://example.com/cmp", "--san", "https://cmp.example.com/svc"))
		ours := inspectJSON(t, c.stride("certificate", "inspect", "cmp.crt", "--format", "json"))
		theirs := inspectJSON(t, c.step("certificate", "inspect", "cmp.crt", "--format", "json"))
		for _, d := range jsonDiff("", ours, theirs) {
			t.Errorf("certificate inspect --format json: %s", d)
		}
	})
}

// inspectJSON parses inspect's JSON with every array of strings sorted, so
// that the order of names does not count.
func inspectJSON(t *testing.T, r result) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(must(t, r).stdout), &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, r.stdout)
	}
	return sortStringArrays(v)
}

func sortStringArrays(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			v[k] = sortStringArrays(x)
		}
	case []any:
		strs := make([]string, 0, len(v))
		for i, x := range v {
			v[i] = sortStringArrays(x)
			if s, ok := x.(string); ok {
				strs = append(strs, s)
			}
		}
		if len(strs) == len(v) {
			sort.Strings(strs)
			for i, s := range strs {
				v[i] = s
			}
		}
	}
	return v
}

// jsonDiff lists where two parsed JSON values differ, by path.
func jsonDiff(path string, a, b any) []string {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if aok && bok {
		var out []string
		for k, av := range am {
			bv, ok := bm[k]
			if !ok {
				out = append(out, fmt.Sprintf("%s.%s: stride has %v, step has nothing", path, k, av))
				continue
			}
			out = append(out, jsonDiff(path+"."+k, av, bv)...)
		}
		for k, bv := range bm {
			if _, ok := am[k]; !ok {
				out = append(out, fmt.Sprintf("%s.%s: stride has nothing, step has %v", path, k, bv))
			}
		}
		return out
	}
	al, aok := a.([]any)
	bl, bok := b.([]any)
	if aok && bok && len(al) == len(bl) {
		var out []string
		for i := range al {
			out = append(out, jsonDiff(fmt.Sprintf("%s[%d]", path, i), al[i], bl[i])...)
		}
		return out
	}
	if !reflect.DeepEqual(a, b) {
		return []string{fmt.Sprintf("%s: stride %v, step %v", path, a, b)}
	}
	return nil
}
