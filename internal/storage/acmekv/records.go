package acmekv

import (
	"context"
	"fmt"

	"github.com/stride-pki/stride/internal/storage"
)

// ListACMEAccounts implements storage.Records: the Accounts space is keyed
// by ID, so its byte order is the walk's order.
func (s *ACME) ListACMEAccounts(ctx context.Context, cursor string, limit int) ([]storage.ACMEAccount, string, error) {
	rows, next, err := walk[storage.ACMEAccount](ctx, s, Accounts, cursor, limit)
	if err != nil {
		return nil, "", fmt.Errorf("acme: list accounts: %w", err)
	}
	return rows, next, nil
}

// ListAllACMEOrders implements storage.Records, walking the Orders space
// as ListACMEAccounts walks Accounts.
func (s *ACME) ListAllACMEOrders(ctx context.Context, cursor string, limit int) ([]storage.ACMEOrder, string, error) {
	rows, next, err := walk[storage.ACMEOrder](ctx, s, Orders, cursor, limit)
	if err != nil {
		return nil, "", fmt.Errorf("acme: list orders: %w", err)
	}
	return rows, next, nil
}

// walk reads up to limit records of sp (keyed by ID) after cursor in one
// transaction, and returns the last one's ID as next when more follow.
func walk[T any](ctx context.Context, s *ACME, sp Space, cursor string, limit int) ([]T, string, error) {
	var ids []string
	more := false
	var rows []T
	err := s.b.View(ctx, func(tx Tx) error {
		ids, more = ids[:0], false
		var start []byte
		if cursor != "" {
			// cursor ‖ 0x00 is the smallest key after cursor, stored or not.
			start = append([]byte(cursor), 0)
		}
		err := tx.Scan(sp, nil, start, func(k, _ []byte) (bool, error) {
			if limit > 0 && len(ids) == limit {
				more = true
				return false, nil
			}
			ids = append(ids, string(k))
			return true, nil
		})
		if err != nil {
			return err
		}
		rows, err = getAll[T](tx, sp, ids)
		return err
	})
	if err != nil || !more {
		return rows, "", err
	}
	return rows, ids[len(ids)-1], nil
}
