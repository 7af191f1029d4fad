package mysql

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/storage"
)

// TestPurgeACMEChunks: a purge larger than one chunk goes on chunk after
// chunk, deletes every expired order that is not valid with its
// authorizations, counts them all and keeps the valid order.
func TestPurgeACMEChunks(t *testing.T) {
	defer func(n int) { acmePurgeChunk = n }(acmePurgeChunk)
	acmePurgeChunk = 2
	ctx := context.Background()
	s, _ := openNew(t)
	defer s.Close()
	expired := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 6 {
		o := &storage.ACMEOrder{ID: fmt.Sprint("o", i), AccountID: "a", Status: "pending", ExpiresAt: expired.Add(time.Duration(i) * time.Second)}
		if i == 3 {
			o.Status = "valid"
		}
		az := &storage.ACMEAuthz{ID: fmt.Sprint("z", i), AccountID: "a", Status: "pending"}
		if err := s.CreateACMEOrder(ctx, o, []*storage.ACMEAuthz{az}); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.PurgeACME(ctx, expired.Add(time.Hour))
	if err != nil || n != 10 {
		t.Fatalf("PurgeACME = %d, %v; want 10 (5 orders, 5 authorizations)", n, err)
	}
	if _, err := s.ACMEAuthz(ctx, "z3"); err != nil {
		t.Errorf("the valid order's authorization: %v", err)
	}
	rows, _, err := s.ListACMEOrders(ctx, "a", "", 0)
	if err != nil || len(rows) != 1 || rows[0].ID != "o3" {
		t.Errorf("orders left = %+v, %v; want only o3", rows, err)
	}
}
