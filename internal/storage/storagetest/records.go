package storagetest

import (
	"context"
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/storage"
)

func runRecords(t *testing.T, o opener) {
	o.subtests(t, []namedCase{
		{"EmptyStore", recEmpty},
		{"EveryRevocationAndToken", recAll},
		{"PagesNeitherRepeatNorSkip", recPages},
		{"Cancelled", recCancelled},
	})
}

func recEmpty(t *testing.T, s storage.Store) {
	revs, next, err := s.ListRevocations(context.Background(), "", 10)
	if err != nil || len(revs) != 0 || next != "" {
		t.Fatalf("ListRevocations on an empty store = %v, %q, %v", revs, next, err)
	}
	toks, next, err := s.ListTokens(context.Background(), "", 10)
	if err != nil || len(toks) != 0 || next != "" {
		t.Fatalf("ListTokens on an empty store = %v, %q, %v", toks, next, err)
	}
}

// seedRecords stores n revocations (of serials that are not certificates)
// and n tokens through every operation that consumes one, half without an
// expiry; it returns them by key.
func seedRecords(t *testing.T, s storage.Store, n int) (map[string]storage.Revocation, map[string]storage.UsedToken) {
	revs, toks := map[string]storage.Revocation{}, map[string]storage.UsedToken{}
	for i := 0; i < n; i++ {
		tok := newToken(t, base.Add(time.Duration(i)*time.Hour))
		if i%2 == 1 {
			tok.ExpiresAt = time.Time{}
		}
		toks[tok.ID] = tok
		rev := newRevocation(randomSerial(t))
		revs[rev.Serial] = rev
		var err error
		switch i % 3 {
		case 0:
			err = s.Revoke(context.Background(), rev, &tok)
		case 1:
			if err = s.Revoke(context.Background(), rev, nil); err == nil {
				err = s.UseToken(context.Background(), tok)
			}
		default:
			if err = s.Revoke(context.Background(), rev, nil); err == nil {
				err = s.RecordIssuance(context.Background(), newCert(t), &tok)
			}
		}
		wantErr(t, "seed", err, nil)
	}
	return revs, toks
}

func recAll(t *testing.T, s storage.Store) {
	revs, toks := seedRecords(t, s, 6)
	gotRevs, next, err := s.ListRevocations(context.Background(), "", 0)
	wantErr(t, "ListRevocations", err, nil)
	if next != "" || len(gotRevs) != len(revs) {
		t.Fatalf("ListRevocations = %d rows, next %q; want %d, \"\"", len(gotRevs), next, len(revs))
	}
	for i := range gotRevs {
		checkRevocation(t, &gotRevs[i], revs[gotRevs[i].Serial])
	}
	gotToks, next, err := s.ListTokens(context.Background(), "", 0)
	wantErr(t, "ListTokens", err, nil)
	if next != "" || len(gotToks) != len(toks) {
		t.Fatalf("ListTokens = %d rows, next %q; want %d, \"\"", len(gotToks), next, len(toks))
	}
	for _, got := range gotToks {
		want, ok := toks[got.ID]
		if !ok {
			t.Fatalf("ListTokens returned unknown token %q", got.ID)
		}
		checkTime(t, "token "+got.ID+" ExpiresAt", got.ExpiresAt, want.ExpiresAt)
	}
}

func recPages(t *testing.T, s storage.Store) {
	revs, toks := seedRecords(t, s, 7)
	seen := map[string]int{}
	for cursor, pages := "", 0; ; pages++ {
		rows, next, err := s.ListRevocations(context.Background(), cursor, 3)
		wantErr(t, "ListRevocations", err, nil)
		if len(rows) > 3 || pages > 3 {
			t.Fatalf("page of %d rows (page %d)", len(rows), pages)
		}
		for _, r := range rows {
			seen["r"+r.Serial]++
		}
		if next == "" {
			break
		}
		cursor = next
	}
	for cursor, pages := "", 0; ; pages++ {
		rows, next, err := s.ListTokens(context.Background(), cursor, 3)
		wantErr(t, "ListTokens", err, nil)
		if len(rows) > 3 || pages > 3 {
			t.Fatalf("page of %d rows (page %d)", len(rows), pages)
		}
		for _, r := range rows {
			seen["t"+r.ID]++
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if len(seen) != len(revs)+len(toks) {
		t.Fatalf("paging saw %d distinct rows, want %d", len(seen), len(revs)+len(toks))
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("%s listed %d times", k, n)
		}
	}
}

func recCancelled(t *testing.T, s storage.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := s.ListRevocations(ctx, "", 0); err == nil {
		t.Error("ListRevocations with a cancelled context succeeded")
	}
	if _, _, err := s.ListTokens(ctx, "", 0); err == nil {
		t.Error("ListTokens with a cancelled context succeeded")
	}
}
