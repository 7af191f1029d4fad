package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/stride-pki/stride/internal/admin"
	"github.com/stride-pki/stride/internal/storage"
)

// queries times the inventory listings `stride ca certificates list` runs:
// --expiring-within 30d and each --san substring, every matching row
// (limit 0, the CLI's default) and a first page of 100. Each is run once
// untimed first, so the figure is a warm cache's (the CLI's second run).
func queries(ctx context.Context, s storage.Store, now time.Time, sans []string, stderr io.Writer) ([]queryResult, error) {
	inv := admin.NewInventory(s, func() time.Time { return now })
	type q struct {
		name string
		q    admin.Query
	}
	qs := []q{{"--expiring-within 30d", admin.Query{ExpiringWithin: "30d"}}}
	for _, san := range sans {
		qs = append(qs, q{"--san " + san, admin.Query{SAN: san}})
	}
	var out []queryResult
	for _, x := range qs {
		for _, limit := range []int{0, 100} {
			x.q.Limit = limit
			if _, err := inv.List(ctx, x.q); err != nil {
				return nil, fmt.Errorf("%s: %w", x.name, err)
			}
			start := time.Now()
			page, err := inv.List(ctx, x.q)
			took := time.Since(start)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", x.name, err)
			}
			r := queryResult{name: x.name, limit: limit, rows: len(page.Certificates), took: took}
			fmt.Fprintf(stderr, "  %s limit %d: %d rows in %s\n", r.name, limit, r.rows, took.Round(time.Microsecond))
			out = append(out, r)
		}
	}
	return out, nil
}
