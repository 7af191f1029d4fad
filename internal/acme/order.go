package acme

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/stride-pki/stride/internal/storage"
)

// OrderLifetime is how long orders and their authorizations stay usable
// (step-ca's 24 hours).
const OrderLifetime = 24 * time.Hour

// ordersPageSize is how many order URLs one orders-list page carries (a
// variable so tests can page through a few orders).
var ordersPageSize = 100

// NewOrderRequest is a new-order payload (RFC 8555 §7.4).
type NewOrderRequest struct {
	Identifiers []Identifier `json:"identifiers"`
	NotBefore   string       `json:"notBefore"`
	NotAfter    string       `json:"notAfter"`
	// Profile names an ACME profile (draft-aaron-acme-profiles) and
	// Replaces the RFC 9773 identifier of the certificate this order
	// replaces; both are checked by extendOrder (profileorder.go).
	Profile  string `json:"profile"`
	Replaces string `json:"replaces"`
}

// NewOrder creates an order and one new authorization per identifier.
func (s *Service) NewOrder(ctx context.Context, p *Provisioner, acct *storage.ACMEAccount, req NewOrderRequest) (*storage.ACMEOrder, error) {
	ids, prob := normalizeIdentifiers(req.Identifiers)
	if prob != nil {
		return nil, prob
	}
	if prob := s.checkPolicy(p, ids); prob != nil {
		return nil, prob
	}
	now := s.now().UTC()
	nb, na, prob := orderValidity(p, req, now)
	if prob != nil {
		return nil, prob
	}
	order := &storage.ACMEOrder{ID: newID(), AccountID: acct.ID, Provisioner: p.Name, Status: string(StatusPending),
		NotBefore: nb, NotAfter: na, CreatedAt: now, ExpiresAt: now.Add(OrderLifetime)}
	var authzs []*storage.ACMEAuthz
	var subs []Subproblem
	for _, id := range ids {
		a, sub := newAuthz(p, acct, id, now)
		if sub != nil {
			subs = append(subs, *sub)
			continue
		}
		order.Identifiers = append(order.Identifiers, storage.ACMEIdentifier{Type: string(id.Type), Value: id.Value})
		order.AuthzIDs = append(order.AuthzIDs, a.ID)
		authzs = append(authzs, a)
	}
	if len(subs) > 0 {
		return nil, compound(subs)
	}
	if err := s.extendOrder(ctx, p, acct, req, order); err != nil {
		return nil, err
	}
	if err := s.store.CreateACMEOrder(ctx, order, authzs); err != nil {
		return nil, internal(err, "to store the order")
	}
	return order, nil
}

// newAuthz makes the pending authorization of one identifier with one
// challenge per offered type, all sharing one token (as step-ca does).
func newAuthz(p *Provisioner, acct *storage.ACMEAccount, id Identifier, now time.Time) (*storage.ACMEAuthz, *Subproblem) {
	value, wildcard := id.Value, false
	if id.Type == IdentifierDNS {
		value, wildcard = strings.CutPrefix(id.Value, "*.")
	}
	types := challengesFor(p, id, wildcard)
	if len(types) == 0 {
		orig := id
		return nil, &Subproblem{Type: ProbRejectedIdentifier, Identifier: &orig,
			Detail: "none of this provisioner's enabled challenge types can validate " + quote(id.Value)}
	}
	a := &storage.ACMEAuthz{ID: newID(), AccountID: acct.ID, Provisioner: p.Name, Wildcard: wildcard,
		Identifier: storage.ACMEIdentifier{Type: string(id.Type), Value: value}, Status: string(StatusPending),
		Token: newID(), CreatedAt: now, ExpiresAt: now.Add(OrderLifetime)}
	for _, t := range types {
		a.Challenges = append(a.Challenges, storage.ACMEChallenge{ID: newID(), Type: string(t), Status: string(StatusPending)})
	}
	return a, nil
}

// orderValidity parses the requested notBefore/notAfter (RFC 3339) and
// checks them against the provisioner's claims, so an order that can never
// be finalized is refused now rather than after validation.
func orderValidity(p *Provisioner, req NewOrderRequest, now time.Time) (nb, na time.Time, prob *Problem) {
	parse := func(field, v string) (time.Time, *Problem) {
		if v == "" {
			return time.Time{}, nil
		}
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return time.Time{}, Malformedf("%s %q is not an RFC 3339 time", field, v)
		}
		return t.UTC(), nil
	}
	if nb, prob = parse("notBefore", req.NotBefore); prob != nil {
		return
	}
	if na, prob = parse("notAfter", req.NotAfter); prob != nil {
		return
	}
	from, to := nb, na
	if from.IsZero() {
		from = now
	}
	if to.IsZero() {
		return nb, na, nil // the provisioner's default duration applies
	}
	switch d := to.Sub(from); {
	case d <= 0:
		return nb, na, Malformedf("notAfter is not after notBefore")
	case p.Claims.Max > 0 && d > p.Claims.Max:
		return nb, na, Malformedf("the requested duration %v is more than the maximum %v", d, p.Claims.Max)
	case d < p.Claims.Min:
		return nb, na, Malformedf("the requested duration %v is less than the minimum %v", d, p.Claims.Min)
	}
	return nb, na, nil
}

// Order returns the account's order id with its status brought up to date.
func (s *Service) Order(ctx context.Context, acct *storage.ACMEAccount, id string) (*storage.ACMEOrder, error) {
	return s.updateOrder(ctx, id, func(o *storage.ACMEOrder) (bool, error) {
		if o.AccountID != acct.ID {
			return false, problemf(ProbUnauthorized, "the order belongs to another account")
		}
		return s.evaluateOrder(ctx, o)
	})
}

// evaluateOrder moves a pending order to ready when all its
// authorizations are valid, and a pending or ready one to invalid when one
// of them failed or the order expired (RFC 8555 §7.1.6), lazily on read.
func (s *Service) evaluateOrder(ctx context.Context, o *storage.ACMEOrder) (bool, error) {
	now := s.now()
	switch Status(o.Status) {
	case StatusPending, StatusReady:
	case StatusProcessing:
		// A replica that died while signing leaves the order processing
		// with no certificate (the certificate and "valid" commit
		// together); expiry ends it.
		if now.After(o.ExpiresAt) {
			return invalidateOrder(o, problemf(ProbServerInternal, "the order expired while it was being finalized")), nil
		}
		return false, nil
	default:
		return false, nil
	}
	if now.After(o.ExpiresAt) {
		return invalidateOrder(o, problemf(ProbMalformed, "the order expired")), nil
	}
	if o.Status == string(StatusReady) {
		return false, nil
	}
	allValid := true
	for _, id := range o.AuthzIDs {
		a, err := s.store.ACMEAuthz(ctx, id)
		if err != nil {
			return false, internal(err, "to read an authorization")
		}
		switch st := authzStatus(a, now); st {
		case StatusValid:
		case StatusPending:
			allValid = false
		default:
			prob := problemf(ProbUnauthorized, "the authorization for %s is %s", a.Identifier.Value, st)
			if p := failedChallengeProblem(a); p != nil {
				prob = p
			}
			return invalidateOrder(o, prob), nil
		}
	}
	if allValid {
		o.Status = string(StatusReady)
	}
	return allValid, nil
}

func invalidateOrder(o *storage.ACMEOrder, p *Problem) bool {
	o.Status = string(StatusInvalid)
	o.Error = encodeProblem(p)
	return true
}

// failedChallengeProblem is the error of an authorization's failed challenge.
func failedChallengeProblem(a *storage.ACMEAuthz) *Problem {
	for _, c := range a.Challenges {
		if c.Status == string(StatusInvalid) {
			return decodeProblem(c.Error)
		}
	}
	return nil
}

// ListOrders returns one page of the account's order IDs from cursor, and
// the next page's cursor ("" at the end).
func (s *Service) ListOrders(ctx context.Context, acct *storage.ACMEAccount, cursor string) ([]string, string, error) {
	rows, next, err := s.store.ListACMEOrders(ctx, acct.ID, cursor, ordersPageSize)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, "", Malformedf("the cursor is not one of this account's orders")
	} else if err != nil {
		return nil, "", internal(err, "to list the orders")
	}
	ids := make([]string, 0, len(rows))
	for _, o := range rows {
		ids = append(ids, o.ID)
	}
	return ids, next, nil
}

// errIs reports whether err is a Problem of type t (for tests and the edge).
func errIs(err error, t ProblemType) bool {
	var p *Problem
	return errors.As(err, &p) && p.Type == t
}
