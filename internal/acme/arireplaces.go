package acme

import (
	"context"
	"errors"
	"strings"

	"github.com/stride-pki/stride/internal/storage"
)

// ReplacesStore is what the new-order "replaces" check reads.
type ReplacesStore interface {
	ACMEOrderByCertificate(ctx context.Context, serial string) (*storage.ACMEOrder, error)
	ListACMEOrders(ctx context.Context, accountID, cursor string, limit int) ([]storage.ACMEOrder, string, error)
}

// replacesPage is how many orders one read of the replaced-check scans.
const replacesPage = 500

// CheckReplaces validates the "replaces" member of a new-order (RFC 9773
// §5) by account accountID for identifiers, and returns the identifier in
// its canonical form, for ACMEOrder.Replaces. The certificate must have
// been issued through ACME to the same account and share an identifier with
// the new order (else malformed: a client cannot tell the CA that it
// replaces someone else's certificate), and no finalized order of the
// account may already replace it (else alreadyReplaced, 409).
func CheckReplaces(ctx context.Context, store ReplacesStore, accountID, replaces string, identifiers []storage.ACMEIdentifier) (string, error) {
	id, err := ParseARICertID(replaces)
	if err != nil {
		return "", err
	}
	canonical := id.String()
	prev, err := store.ACMEOrderByCertificate(ctx, id.Serial.String())
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return "", Malformedf("replaces: %s is not a certificate this account obtained", replaces)
	case err != nil:
		return "", internal(err, "to look the replaced certificate up")
	case prev.AccountID != accountID:
		return "", Malformedf("replaces: %s is not a certificate this account obtained", replaces)
	case !shareIdentifier(prev.Identifiers, identifiers):
		return "", Malformedf("replaces: %s has no identifier in common with the new order", replaces)
	}
	replaced, err := alreadyReplaced(ctx, store, accountID, canonical)
	if err != nil {
		return "", err
	}
	if replaced {
		return "", problemf(ProbAlreadyReplaced, "replaces: %s was already replaced by another order", replaces)
	}
	return canonical, nil
}

// alreadyReplaced reports whether an order of the account that reached
// processing or valid replaces certID. Only such orders count (RFC 9773
// §5: "a different finalized Order"): a pending or invalid order may be
// abandoned, and the client must be able to try again. The account's
// orders are scanned: replacement is rare and per account, so an index is
// not worth a schema change yet.
func alreadyReplaced(ctx context.Context, store ReplacesStore, accountID, certID string) (bool, error) {
	cursor := ""
	for {
		rows, next, err := store.ListACMEOrders(ctx, accountID, cursor, replacesPage)
		if err != nil {
			return false, internal(err, "to list the account's orders")
		}
		for _, o := range rows {
			if o.Replaces == certID && (o.Status == "valid" || o.Status == "processing") {
				return true, nil
			}
		}
		if next == "" {
			return false, nil
		}
		cursor = next
	}
}

// shareIdentifier reports whether a and b have an identifier in common
// (DNS names compare case-insensitively).
func shareIdentifier(a, b []storage.ACMEIdentifier) bool {
	for _, x := range a {
		for _, y := range b {
			if x.Type == y.Type && strings.EqualFold(x.Value, y.Value) {
				return true
			}
		}
	}
	return false
}
