package bolt

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/storage"
)

// rssFileKB reads this process's mapped file pages from /proc.
func rssFileKB(t *testing.T) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "RssFile:" {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb
		}
	}
	t.Fatal("no RssFile in /proc/self/status")
	return 0
}

func testCert(i int) storage.Certificate {
	now := time.Now().Truncate(time.Second)
	der := bytes.Repeat([]byte{byte(i)}, 1500)
	return storage.Certificate{
		Serial: strconv.Itoa(1e9 + i), DER: der, Subject: "h" + strconv.Itoa(i), SANs: []string{"h" + strconv.Itoa(i)},
		NotBefore: now, NotAfter: now.Add(time.Hour), IssuedAt: now,
	}
}

// Trimming drops the file's pages from RSS and loses nothing.
func TestTrimMappingDropsFilePages(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "trim.db"), Options{TrimInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	const n = 4000
	for i := range n {
		if err := s.RecordIssuance(ctx, testCert(i), nil); err != nil {
			t.Fatal(err)
		}
	}
	readAll := func() {
		t.Helper()
		for i := range n {
			c, err := s.Certificate(ctx, testCert(i).Serial)
			if err != nil || !bytes.Equal(c.DER, testCert(i).DER) {
				t.Fatalf("certificate %d after trimming: %v", i, err)
			}
		}
	}
	readAll() // maps every page that holds a record
	st, err := os.Stat(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	before := rssFileKB(t)
	if err := s.trimMapping(); err != nil {
		t.Fatal(err)
	}
	after := rssFileKB(t)
	if dropped, want := before-after, st.Size()/1024/2; dropped < want {
		t.Errorf("trim dropped %d KB of mapped file pages (RssFile %d → %d KB); want at least %d KB of the %d KB file",
			dropped, before, after, want, st.Size()/1024)
	}
	readAll()
}

// Trimming all the time while writers and readers run changes no answer.
func TestTrimMappingConcurrent(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "trim.db"), Options{TrimInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w * 1000; i < w*1000+300; i++ {
				if err := s.RecordIssuance(ctx, testCert(i), nil); err != nil {
					t.Error(err)
					return
				}
				if c, err := s.Certificate(ctx, testCert(i).Serial); err != nil || !bytes.Equal(c.DER, testCert(i).DER) {
					t.Errorf("read back %d: %v", i, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	for w := range 8 {
		for i := w * 1000; i < w*1000+300; i++ {
			if _, err := s.Certificate(ctx, testCert(i).Serial); err != nil {
				t.Fatalf("certificate %d: %v", i, err)
			}
		}
	}
}

// BenchmarkTrimMapping is one trim of a 4,000-record file whose pages were
// all mapped before each trim (the re-mapping is outside the timer).
func BenchmarkTrimMapping(b *testing.B) {
	s, err := Open(filepath.Join(b.TempDir(), "trim.db"), Options{TrimInterval: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	for i := range 4000 {
		if err := s.RecordIssuance(ctx, testCert(i), nil); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		b.StopTimer()
		for i := 0; i < 4000; i += 2 {
			s.Certificate(ctx, testCert(i).Serial)
		}
		b.StartTimer()
		if err := s.trimMapping(); err != nil {
			b.Fatal(err)
		}
	}
}
