package acme

import (
	"context"
	"errors"

	"github.com/stride-pki/stride/internal/storage"
)

// maxStaleRetries bounds the re-read-and-redo loop of an optimistic update;
// more lost races in a row than this means something is writing in a loop.
const maxStaleRetries = 16

// updateAuthz reads authorization id, lets change edit it, and writes it
// back if change says it changed, redoing both on storage.ErrStale (another
// request or replica wrote first; change sees the winner's state).
func (s *Service) updateAuthz(ctx context.Context, id string, change func(*storage.ACMEAuthz) (bool, error)) (*storage.ACMEAuthz, error) {
	return updateAuthz(ctx, s.store, id, change)
}

func updateAuthz(ctx context.Context, store storage.ACME, id string, change func(*storage.ACMEAuthz) (bool, error)) (*storage.ACMEAuthz, error) {
	for range maxStaleRetries {
		a, err := store.ACMEAuthz(ctx, id)
		if errors.Is(err, storage.ErrNotFound) {
			return nil, notFoundf("no such authorization")
		} else if err != nil {
			return nil, internal(err, "to read the authorization")
		}
		changed, err := change(a)
		if err != nil || !changed {
			return a, err
		}
		err = store.UpdateACMEAuthz(ctx, a)
		if errors.Is(err, storage.ErrStale) {
			continue
		}
		if err != nil {
			return nil, internal(err, "to update the authorization")
		}
		return a, nil
	}
	return nil, internal(storage.ErrStale, "to update the authorization (too many concurrent changes)")
}

// updateOrder is updateAuthz for orders.
func (s *Service) updateOrder(ctx context.Context, id string, change func(*storage.ACMEOrder) (bool, error)) (*storage.ACMEOrder, error) {
	for range maxStaleRetries {
		o, err := s.store.ACMEOrder(ctx, id)
		if errors.Is(err, storage.ErrNotFound) {
			return nil, notFoundf("no such order")
		} else if err != nil {
			return nil, internal(err, "to read the order")
		}
		changed, err := change(o)
		if err != nil || !changed {
			return o, err
		}
		err = s.store.UpdateACMEOrder(ctx, o)
		if errors.Is(err, storage.ErrStale) {
			continue
		}
		if err != nil {
			return nil, internal(err, "to update the order")
		}
		return o, nil
	}
	return nil, internal(storage.ErrStale, "to update the order (too many concurrent changes)")
}
