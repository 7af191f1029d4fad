package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/storage/bolt"
)

func TestRecordsAreRealisticAndOrdered(t *testing.T) {
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	g, err := newGenerator(now)
	if err != nil {
		t.Fatal(err)
	}
	prev := ""
	for _, i := range []int{0, 1, 999, 1000, 123456, 999999} {
		c, tok := g.record(i)
		if len(c.Serial) != 39 || c.Serial <= prev {
			t.Errorf("record %d: serial %q after %q: want 39 digits in index order", i, c.Serial, prev)
		}
		prev = c.Serial
		cert, err := x509.ParseCertificate(c.DER)
		if err != nil || cert.SerialNumber.String() != c.Serial {
			t.Errorf("record %d: DER does not parse with its serial: %v", i, err)
		}
		if len(c.DER) < 400 || len(c.DER) > 1000 {
			t.Errorf("record %d: DER is %d bytes", i, len(c.DER))
		}
		if c.NotAfter.Before(now) || !c.NotAfter.Before(now.Add(lifetime)) && i != 0 {
			t.Errorf("record %d: notAfter %s outside the next 90 days", i, c.NotAfter)
		}
		if !strings.HasPrefix(c.SANs[0], "host-") || tok.ID == "" {
			t.Errorf("record %d: %v, token %q", i, c.SANs, tok.ID)
		}
	}
	if c, _ := g.record(1042); c.SANs[1] != "svc-042.example.com" {
		t.Errorf("record 1042 SANs %v", c.SANs)
	}
}

func TestHelpers(t *testing.T) {
	if got := splitList(" a, ,b,"); len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Errorf("splitList = %q", got)
	}
	if got := per100k(5000, 1000000); got != 500 {
		t.Errorf("per100k = %d", got)
	}
	if got := quoteMySQL("a`b"); got != "`a``b`" {
		t.Errorf("quoteMySQL = %s", got)
	}
	if got := dsnWithDatabase("postgres://postgres@127.0.0.1:5432/?sslmode=disable", "x"); got != "postgres://postgres@127.0.0.1:5432/x?sslmode=disable" {
		t.Errorf("dsnWithDatabase = %s", got)
	}
	for _, args := range [][]string{{"--backend", "sqlite"}, {"--n", "0"}, {"extra"}} {
		if _, err := parseFlags(args, io.Discard); err == nil {
			t.Errorf("parseFlags(%q) accepted", args)
		}
	}
}

// TestFillAndQueryBolt runs the whole pipeline on a small bbolt store.
func TestFillAndQueryBolt(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Second)
	g, err := newGenerator(now)
	if err != nil {
		t.Fatal(err)
	}
	s, err := bolt.Open(filepath.Join(t.TempDir(), "b.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if _, err := fill(ctx, s, g, 3000, 8, true, io.Discard); err != nil {
		t.Fatal(err)
	}
	qs, err := queries(ctx, s, now, []string{"SVC-042."}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	// A third of notAfters fall in the next 30 days; svc-042 is 3 of 3000.
	if len(qs) != 4 || qs[0].rows < 900 || qs[0].rows > 1100 || qs[1].rows != 100 || qs[2].rows != 3 {
		t.Errorf("queries = %+v", qs)
	}
	var out bytes.Buffer
	writeTable(&out, &result{backend: "bbolt", n: 3000, fill: time.Second, queries: qs, bytes: 300000})
	if !strings.Contains(out.String(), "| bbolt | 3000 | 1.0 | 3000 | 300000 | 10.0 MB |") {
		t.Errorf("table:\n%s", out.String())
	}
}
