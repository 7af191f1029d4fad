package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stride-pki/stride/bench/sign/load"
)

func TestSpecsSkipStrideWithoutBinary(t *testing.T) {
	o := &options{stepCA: "/x/step-ca", servers: []string{"step-badger", "stride", "step-bbolt"}}
	var note bytes.Buffer
	got := o.specs(&note)
	if len(got) != 2 || got[0].name != "step-badger" || got[1].name != "step-bbolt" || !got[1].bolt || got[0].bolt {
		t.Errorf("specs = %+v", got)
	}
	if !strings.Contains(note.String(), "stride skipped") {
		t.Errorf("no note for the skipped server: %q", note.String())
	}
	o.strideCA = "/x/stride-ca"
	if got := o.specs(io.Discard); len(got) != 3 || got[1].bin != "/x/stride-ca" || !got[1].optional {
		t.Errorf("specs with --stride-ca = %+v", got)
	}
}

func TestFlagsRejectUnknownServersAndLevels(t *testing.T) {
	tools := []string{"--step", "/x/step", "--step-ca", "/x/step-ca"}
	for _, args := range [][]string{
		{"--servers", "step-badger,nginx"}, {"--c", "1,0"}, {"--n", "0"}, {"--format", "csv"}, {"extra"},
	} {
		if _, err := parseFlags(append(tools, args...), io.Discard); err == nil {
			t.Errorf("parseFlags(%q) accepted", args)
		}
	}
	o, err := parseFlags(tools, io.Discard)
	if err != nil || len(o.conc) != 3 || o.conc[2] != 32 || len(o.servers) != 3 {
		t.Errorf("defaults = %+v, %v", o, err)
	}
}

func TestUseBoltKeepsTheRestOfCAJSON(t *testing.T) {
	dir := t.TempDir()
	p := &pki{dir: dir, caJSON: filepath.Join(dir, "ca.json")}
	in := `{"address":"127.0.0.1:1","db":{"type":"badgerv2","dataSource":"x"},"authority":{"provisioners":[]}}`
	if err := os.WriteFile(p.caJSON, []byte(in), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := p.useBolt(); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p.caJSON)
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	db, _ := got["db"].(map[string]any)
	if db["type"] != "bbolt" || db["dataSource"] != filepath.Join(dir, "db", "bolt.db") || got["address"] != "127.0.0.1:1" || got["authority"] == nil {
		t.Errorf("ca.json now %s", b)
	}
}

func TestWriteRatios(t *testing.T) {
	var out bytes.Buffer
	writeRatios(&out, []*load.Result{
		{Server: "step-badger", Concurrency: 32, CertsPerSec: 1500},
		{Server: "step-bbolt", Concurrency: 32, CertsPerSec: 600},
		{Server: "stride", Concurrency: 32, CertsPerSec: 3300},
		{Server: "stride", Concurrency: 8, CertsPerSec: 3000},
		{Server: "stride-postgresql", Concurrency: 32, CertsPerSec: 1500},
	})
	if got := out.String(); got != "stride / step-badger certs/s at c=32: 2.20x\nstride-postgresql / step-badger certs/s at c=32: 1.00x\n" {
		t.Errorf("writeRatios = %q", got)
	}
}

func TestStrideDBRunsStrideOncePerDatabase(t *testing.T) {
	tools := []string{"--step", "/x/step", "--step-ca", "/x/step-ca", "--stride-ca", "/x/stride-ca"}
	o, err := parseFlags(append(tools, "--servers", "stride", "--stride-db", "bbolt,postgresql,mysql,badgerv2"), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	got := o.specs(io.Discard)
	if len(got) != 4 || got[0].name != "stride" || !got[0].bolt || got[1].name != "stride-postgresql" || got[1].db != "postgresql" ||
		got[1].bolt || got[3].name != "stride-badgerv2" || !got[3].optional {
		t.Errorf("specs = %+v", got)
	}
	if _, err := parseFlags(append(tools, "--stride-db", "sqlite"), io.Discard); err == nil {
		t.Error("--stride-db sqlite accepted")
	}
}

func TestUseDBWritesTheDatabase(t *testing.T) {
	dir := t.TempDir()
	p := &pki{dir: dir, caJSON: filepath.Join(dir, "ca.json")}
	o := &options{pgDSN: "postgres://u@h:5432/", myDSN: "root@tcp(h:3306)/"}
	for _, db := range []string{"badgerv2", "postgresql", "mysql"} {
		if err := os.WriteFile(p.caJSON, []byte(`{"db":{"type":"badgerv2"}}`), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := p.useDB(context.Background(), db, o); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(p.caJSON)
		var got struct{ DB map[string]string }
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatal(err)
		}
		if got.DB["type"] != db || (db != "badgerv2" && !strings.HasPrefix(got.DB["database"], "stride_bench_")) {
			t.Errorf("%s: ca.json now %s", db, b)
		}
	}
}
