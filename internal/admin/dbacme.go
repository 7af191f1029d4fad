package admin

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/stride-pki/stride/internal/storage"
)

// ACME records in the export format (version 2). Byte fields that hold
// JSON documents (an account's JWK, a policy, a problem document) are
// base64 like DER, so they come back byte for byte. Versions (the
// optimistic-update counters) are not exported: a store sets them, and an
// imported record starts at 1 like a new one (no client holds a version
// across an offline migration).

// acmeOrder is an order with its authorizations, in AuthzIDs' order: one
// record of the export walk, as it is one line (an authorization belongs
// to exactly one order and is created with it).
type acmeOrder struct {
	Order  storage.ACMEOrder
	Authzs []storage.ACMEAuthz
}

type eabKeyLine struct {
	Kind        string     `json:"kind"`
	ID          string     `json:"id"`
	Provisioner string     `json:"provisioner"`
	Reference   string     `json:"reference,omitempty"`
	HMACKey     []byte     `json:"hmacKey"`
	CreatedAt   *time.Time `json:"createdAt,omitempty"`
	AccountID   string     `json:"accountId,omitempty"`
	BoundAt     *time.Time `json:"boundAt,omitempty"`
	Policy      []byte     `json:"policy,omitempty"`
}

type accountLine struct {
	Kind        string     `json:"kind"`
	ID          string     `json:"id"`
	Provisioner string     `json:"provisioner"`
	KeyID       string     `json:"keyId"`
	Key         []byte     `json:"key"`
	Contact     []string   `json:"contact,omitempty"`
	Status      string     `json:"status"`
	EABKeyID    string     `json:"eabKeyId,omitempty"`
	CreatedAt   *time.Time `json:"createdAt,omitempty"`
}

type identifierLine struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

type challengeLine struct {
	ID          string     `json:"id"`
	Type        string     `json:"type"`
	Status      string     `json:"status"`
	ValidatedAt *time.Time `json:"validatedAt,omitempty"`
	Error       []byte     `json:"error,omitempty"`
}

type authzLine struct {
	ID          string          `json:"id"`
	AccountID   string          `json:"accountId"`
	Provisioner string          `json:"provisioner"`
	Identifier  identifierLine  `json:"identifier"`
	Wildcard    bool            `json:"wildcard,omitempty"`
	Status      string          `json:"status"`
	Token       string          `json:"token,omitempty"`
	Challenges  []challengeLine `json:"challenges,omitempty"`
	CreatedAt   *time.Time      `json:"createdAt,omitempty"`
	ExpiresAt   *time.Time      `json:"expiresAt,omitempty"`
	ValidateAt  *time.Time      `json:"validateAt,omitempty"`
	Attempts    int             `json:"attempts,omitempty"`
}

type orderLine struct {
	Kind              string           `json:"kind"`
	ID                string           `json:"id"`
	AccountID         string           `json:"accountId"`
	Provisioner       string           `json:"provisioner"`
	Identifiers       []identifierLine `json:"identifiers"`
	Status            string           `json:"status"`
	Profile           string           `json:"profile,omitempty"`
	Replaces          string           `json:"replaces,omitempty"`
	NotBefore         *time.Time       `json:"notBefore,omitempty"`
	NotAfter          *time.Time       `json:"notAfter,omitempty"`
	CreatedAt         *time.Time       `json:"createdAt,omitempty"`
	ExpiresAt         *time.Time       `json:"expiresAt,omitempty"`
	CertificateSerial string           `json:"certificateSerial,omitempty"`
	Error             []byte           `json:"error,omitempty"`
	// Authorizations are the order's, in the order of its authzIds.
	Authorizations []authzLine `json:"authorizations"`
}

// walkACME calls fn with every EAB key, then every account, then every
// order with its authorizations: the order an import needs (a bound key
// before its account).
func walkACME(ctx context.Context, store storage.Store, fn func(rec any) error) error {
	keys, err := store.ListACMEEABKeys(ctx, "")
	if err != nil {
		return err
	}
	for i := range keys {
		if err := fn(&keys[i]); err != nil {
			return err
		}
	}
	err = walkPages(func(cursor string) ([]storage.ACMEAccount, string, error) {
		return store.ListACMEAccounts(ctx, cursor, exportPage)
	}, func(r *storage.ACMEAccount) error { return fn(r) })
	if err != nil {
		return err
	}
	return walkACMEOrders(ctx, store, fn)
}

func walkACMEOrders(ctx context.Context, store storage.Store, fn func(rec any) error) error {
	return walkPages(func(cursor string) ([]storage.ACMEOrder, string, error) {
		return store.ListAllACMEOrders(ctx, cursor, exportPage)
	}, func(o *storage.ACMEOrder) error {
		rec, err := withAuthzs(ctx, store, *o)
		if err != nil || rec == nil {
			return err
		}
		return fn(rec)
	})
}

// withAuthzs reads o's authorizations, or returns nil when o was purged
// (with them) since it was listed, as a running CA on PostgreSQL or MySQL
// may do during an export. An authorization missing from an order still
// stored is an error: they are created and purged together.
func withAuthzs(ctx context.Context, store storage.Store, o storage.ACMEOrder) (*acmeOrder, error) {
	rec := &acmeOrder{Order: o}
	for _, id := range o.AuthzIDs {
		az, err := store.ACMEAuthz(ctx, id)
		if errors.Is(err, storage.ErrNotFound) {
			if _, oerr := store.ACMEOrder(ctx, o.ID); errors.Is(oerr, storage.ErrNotFound) {
				return nil, nil
			}
		}
		if err != nil {
			return nil, fmt.Errorf("ACME order %s: authorization %s: %w", o.ID, id, err)
		}
		rec.Authzs = append(rec.Authzs, *az)
	}
	return rec, nil
}

// acmeToLine is an ACME record in the export format, or nil when rec is
// not one.
func acmeToLine(rec any) any {
	switch r := rec.(type) {
	case *storage.ACMEEABKey:
		return eabKeyLine{Kind: KindACMEEABKey, ID: r.ID, Provisioner: r.Provisioner, Reference: r.Reference,
			HMACKey: r.HMACKey, CreatedAt: optTime(r.CreatedAt), AccountID: r.AccountID,
			BoundAt: optTime(r.BoundAt), Policy: r.Policy}
	case *storage.ACMEAccount:
		return accountLine{Kind: KindACMEAccount, ID: r.ID, Provisioner: r.Provisioner, KeyID: r.KeyID,
			Key: r.Key, Contact: r.Contact, Status: r.Status, EABKeyID: r.EABKeyID, CreatedAt: optTime(r.CreatedAt)}
	case *acmeOrder:
		return orderToLine(r)
	}
	return nil
}

func orderToLine(r *acmeOrder) orderLine {
	o := r.Order
	l := orderLine{Kind: KindACMEOrder, ID: o.ID, AccountID: o.AccountID, Provisioner: o.Provisioner,
		Identifiers: []identifierLine{}, Status: o.Status, Profile: o.Profile, Replaces: o.Replaces,
		NotBefore: optTime(o.NotBefore), NotAfter: optTime(o.NotAfter), CreatedAt: optTime(o.CreatedAt),
		ExpiresAt: optTime(o.ExpiresAt), CertificateSerial: o.CertificateSerial, Error: o.Error,
		Authorizations: []authzLine{}}
	for _, id := range o.Identifiers {
		l.Identifiers = append(l.Identifiers, identifierLine(id))
	}
	for _, a := range r.Authzs {
		al := authzLine{ID: a.ID, AccountID: a.AccountID, Provisioner: a.Provisioner,
			Identifier: identifierLine(a.Identifier), Wildcard: a.Wildcard, Status: a.Status, Token: a.Token,
			CreatedAt: optTime(a.CreatedAt), ExpiresAt: optTime(a.ExpiresAt), ValidateAt: optTime(a.ValidateAt),
			Attempts: a.Attempts}
		for _, c := range a.Challenges {
			al.Challenges = append(al.Challenges, challengeLine{ID: c.ID, Type: c.Type, Status: c.Status,
				ValidatedAt: optTime(c.ValidatedAt), Error: c.Error})
		}
		l.Authorizations = append(l.Authorizations, al)
	}
	return l
}

func parseEABKey(line []byte) (any, error) {
	var k eabKeyLine
	if err := strictUnmarshal(line, &k); err != nil {
		return nil, err
	}
	if k.ID == "" || k.Provisioner == "" {
		return nil, errors.New("acmeEABKey: empty id or provisioner")
	}
	if (k.AccountID == "") != (k.BoundAt == nil) {
		return nil, fmt.Errorf("acmeEABKey %s: accountId and boundAt go together", k.ID)
	}
	return &storage.ACMEEABKey{ID: k.ID, Provisioner: k.Provisioner, Reference: k.Reference, HMACKey: k.HMACKey,
		CreatedAt: derefTime(k.CreatedAt), AccountID: k.AccountID, BoundAt: derefTime(k.BoundAt),
		Policy: k.Policy}, nil
}

func parseAccount(line []byte) (any, error) {
	var a accountLine
	if err := strictUnmarshal(line, &a); err != nil {
		return nil, err
	}
	if a.ID == "" || a.Provisioner == "" || a.KeyID == "" || len(a.Key) == 0 {
		return nil, errors.New("acmeAccount: empty id, provisioner, keyId or key")
	}
	return &storage.ACMEAccount{ID: a.ID, Provisioner: a.Provisioner, KeyID: a.KeyID, Key: a.Key,
		Contact: a.Contact, Status: a.Status, EABKeyID: a.EABKeyID, CreatedAt: derefTime(a.CreatedAt)}, nil
}

func parseOrder(line []byte) (any, error) {
	var l orderLine
	if err := strictUnmarshal(line, &l); err != nil {
		return nil, err
	}
	if l.ID == "" || l.AccountID == "" {
		return nil, errors.New("acmeOrder: empty id or accountId")
	}
	if l.CertificateSerial != "" {
		if err := checkSerialText(l.CertificateSerial); err != nil {
			return nil, fmt.Errorf("acmeOrder %s: certificateSerial: %w", l.ID, err)
		}
	}
	o := storage.ACMEOrder{ID: l.ID, AccountID: l.AccountID, Provisioner: l.Provisioner, Status: l.Status,
		Profile: l.Profile, Replaces: l.Replaces, NotBefore: derefTime(l.NotBefore), NotAfter: derefTime(l.NotAfter),
		CreatedAt: derefTime(l.CreatedAt), ExpiresAt: derefTime(l.ExpiresAt),
		CertificateSerial: l.CertificateSerial, Error: l.Error}
	for _, id := range l.Identifiers {
		o.Identifiers = append(o.Identifiers, storage.ACMEIdentifier(id))
	}
	rec := &acmeOrder{}
	seen := map[string]bool{}
	for _, al := range l.Authorizations {
		if al.ID == "" || seen[al.ID] {
			return nil, fmt.Errorf("acmeOrder %s: authorization id %q is empty or repeated", l.ID, al.ID)
		}
		seen[al.ID] = true
		o.AuthzIDs = append(o.AuthzIDs, al.ID)
		rec.Authzs = append(rec.Authzs, authzFromLine(al))
	}
	rec.Order = o
	return rec, nil
}

func authzFromLine(al authzLine) storage.ACMEAuthz {
	a := storage.ACMEAuthz{ID: al.ID, AccountID: al.AccountID, Provisioner: al.Provisioner,
		Identifier: storage.ACMEIdentifier(al.Identifier), Wildcard: al.Wildcard, Status: al.Status,
		Token: al.Token, CreatedAt: derefTime(al.CreatedAt), ExpiresAt: derefTime(al.ExpiresAt),
		ValidateAt: derefTime(al.ValidateAt), Attempts: al.Attempts}
	for _, c := range al.Challenges {
		a.Challenges = append(a.Challenges, storage.ACMEChallenge{ID: c.ID, Type: c.Type, Status: c.Status,
			ValidatedAt: derefTime(c.ValidatedAt), Error: c.Error})
	}
	return a
}

// importACME writes one ACME record through the store's own operations
// (ErrConflict: the target has it already).
func importACME(ctx context.Context, store storage.Store, rec any) error {
	switch r := rec.(type) {
	case *storage.ACMEEABKey:
		// Stored as exported, bound or not: the account comes next and
		// finds its key bound to it already (a no-op, see
		// storage.ACME.CreateACMEAccount), so BoundAt survives.
		k := *r
		return store.CreateACMEEABKey(ctx, &k)
	case *storage.ACMEAccount:
		return importAccount(ctx, store, *r)
	case *acmeOrder:
		o := r.Order
		authzs := make([]*storage.ACMEAuthz, len(r.Authzs))
		for i := range r.Authzs {
			a := r.Authzs[i]
			authzs[i] = &a
		}
		return store.CreateACMEOrder(ctx, &o, authzs)
	}
	panic(fmt.Sprintf("admin: unknown record %T", rec))
}

// importAccount creates a, bound to its EAB key. The key may have been
// deleted in the source after the binding (the account keeps working and
// keeps its EABKeyID): then the account is created unbound and its
// EABKeyID restored by an update, since no key is left to bind.
func importAccount(ctx context.Context, store storage.Store, a storage.ACMEAccount) error {
	err := store.CreateACMEAccount(ctx, &a)
	if a.EABKeyID == "" || !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	if _, kerr := store.ACMEEABKey(ctx, a.EABKeyID); !errors.Is(kerr, storage.ErrNotFound) {
		return err // the key exists, in another provisioner: a real error
	}
	keyID := a.EABKeyID
	a.EABKeyID = ""
	if err := store.CreateACMEAccount(ctx, &a); err != nil {
		return err
	}
	a.EABKeyID = keyID
	return store.UpdateACMEAccount(ctx, &a)
}
