package validation

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestNewDefaults(t *testing.T) {
	v := New(Config{})
	if v.cfg.HTTPPort != 80 || v.cfg.TLSPort != 443 || v.cfg.Timeout != 10*time.Second {
		t.Fatalf("defaults: %+v", v.cfg)
	}
	if v.caaServer() == "" {
		t.Fatal("no DNS server for CAA queries")
	}
	if got := New(Config{Resolver: "192.0.2.53:5353"}).caaServer(); got != "192.0.2.53:5353" {
		t.Fatalf("caaServer = %q", got)
	}
}

func TestErrorString(t *testing.T) {
	e := &Error{Type: "dns", Detail: "no valid A/AAAA records for x.test", Retryable: true}
	if got := e.Error(); got != "dns: no valid A/AAAA records for x.test" {
		t.Fatalf("Error() = %q", got)
	}
}

func TestFirstNameserver(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "resolv.conf")
	conf := "# comment\nsearch corp.test\nnameserver 2001:db8::53\nnameserver 192.0.2.1\n"
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := firstNameserver(path); got != "[2001:db8::53]:53" {
		t.Fatalf("firstNameserver = %q", got)
	}
	if got := firstNameserver(filepath.Join(dir, "missing")); got != "" {
		t.Fatalf("missing file: %q", got)
	}
}
