package admin

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/stride-pki/stride/internal/caerr"
	"github.com/stride-pki/stride/internal/config"
	"github.com/stride-pki/stride/internal/policy"
	"github.com/stride-pki/stride/internal/storage"
	"github.com/stride-pki/stride/internal/storage/open"
)

// EABStore is what external account key management reads and writes.
type EABStore interface {
	CreateACMEEABKey(ctx context.Context, key *storage.ACMEEABKey) error
	ACMEEABKey(ctx context.Context, id string) (*storage.ACMEEABKey, error)
	ListACMEEABKeys(ctx context.Context, provisioner string) ([]storage.ACMEEABKey, error)
	DeleteACMEEABKey(ctx context.Context, id string) error
}

// EABKeyGen makes an external account key: its ID and HMAC key
// (acme.NewEABKey; a value, so that this core need not import the ACME
// server).
type EABKeyGen func() (id string, hmacKey []byte, err error)

// EAB manages the external account binding keys of ACME provisioners
// (RFC 8555 §7.3.4): step-ca's `step ca acme eab` needs its commercial
// product; Stride keeps them in the CA's own database. Safe for concurrent
// use.
type EAB struct {
	store        EABStore
	provisioners []config.Provisioner
	newKey       EABKeyGen
	now          func() time.Time
}

// NewEAB returns the manager over store for the provisioners of ca.json
// (Add only makes keys for an ACME provisioner among them).
func NewEAB(store EABStore, provisioners []config.Provisioner, newKey EABKeyGen, now func() time.Time) *EAB {
	return &EAB{store: store, provisioners: provisioners, newKey: newKey, now: now}
}

// OpenEAB opens the database cfg names (base resolves a relative embedded
// path) for an offline command; close the returned io.Closer when done.
func OpenEAB(cfg *config.CAConfig, base string, newKey EABKeyGen, now func() time.Time) (*EAB, io.Closer, error) {
	store, err := open.FromConfig(cfg, base)
	if err != nil {
		if errors.Is(err, storage.ErrLocked) {
			return nil, nil, fmt.Errorf("%w (stop stride-ca, or use a PostgreSQL or MySQL database, to manage keys while it serves)", err)
		}
		return nil, nil, err
	}
	acme, ok := store.(EABStore)
	if !ok {
		store.Close()
		return nil, nil, fmt.Errorf("the %s database does not store ACME data yet", cfg.DB.Type)
	}
	var provs []config.Provisioner
	if cfg.Authority != nil {
		provs = cfg.Authority.Provisioners
	}
	return NewEAB(acme, provs, newKey, now), store, nil
}

// EABKeyInfo is an external account key as every front end shows it. The
// JSON names are linkedca's (step's admin API) where it has the field.
type EABKeyInfo struct {
	ID          string     `json:"id"`
	Provisioner string     `json:"provisioner"`
	Reference   string     `json:"reference,omitempty"`
	HMACKey     string     `json:"hmacKey,omitempty"` // base64url; only when made (Add)
	Account     string     `json:"account,omitempty"` // the bound account's ID
	CreatedAt   time.Time  `json:"createdAt"`
	BoundAt     *time.Time `json:"boundAt,omitempty"`
	// Policy is the X.509 name policy the bound account's orders must pass.
	Policy json.RawMessage `json:"policy,omitempty"`
}

// EABAddOptions are the optional parts of a new key.
type EABAddOptions struct {
	// Reference is the operator's name for the key (unique per provisioner).
	Reference string
	// Policy restricts the names the bound account may order (nil: none).
	Policy *config.X509Policy
}

// Add makes a key for the ACME provisioner named provisioner. It returns
// the key with its HMAC key, which is shown this once (List never does).
func (e *EAB) Add(ctx context.Context, provisioner string, opts EABAddOptions) (*EABKeyInfo, error) {
	if err := e.checkACME(provisioner); err != nil {
		return nil, err
	}
	pol, err := policyJSON(opts.Policy)
	if err != nil {
		return nil, err
	}
	id, hmacKey, err := e.newKey()
	if err != nil {
		return nil, caerr.Wrap(caerr.Internal, err, "making a key failed")
	}
	k := &storage.ACMEEABKey{ID: id, Provisioner: provisioner, Reference: strings.TrimSpace(opts.Reference),
		HMACKey: hmacKey, CreatedAt: e.now().UTC(), Policy: pol}
	switch err := e.store.CreateACMEEABKey(ctx, k); {
	case errors.Is(err, storage.ErrConflict) && k.Reference != "":
		return nil, caerr.BadRequestf("provisioner %q already has a key with reference %q", provisioner, k.Reference)
	case err != nil:
		return nil, caerr.Wrap(caerr.Internal, err, "storing the key failed")
	}
	info := eabInfo(k)
	info.HMACKey = encodeHMACKey(hmacKey)
	return &info, nil
}

// List returns the provisioner's keys, ordered by ID; reference, when not
// empty, selects the key with that reference.
func (e *EAB) List(ctx context.Context, provisioner, reference string) ([]EABKeyInfo, error) {
	if provisioner == "" {
		return nil, caerr.BadRequestf("name the ACME provisioner whose keys to list")
	}
	keys, err := e.store.ListACMEEABKeys(ctx, provisioner)
	if err != nil {
		return nil, caerr.Wrap(caerr.Internal, err, "listing keys failed")
	}
	out := []EABKeyInfo{}
	for i := range keys {
		if reference == "" || keys[i].Reference == reference {
			out = append(out, eabInfo(&keys[i]))
		}
	}
	return out, nil
}

// Remove deletes the provisioner's key id. Accounts bound with it keep
// working (RFC 8555 binds at creation only).
func (e *EAB) Remove(ctx context.Context, provisioner, id string) error {
	k, err := e.store.ACMEEABKey(ctx, id)
	switch {
	case errors.Is(err, storage.ErrNotFound) || err == nil && k.Provisioner != provisioner:
		return caerr.NotFoundf("provisioner %q has no external account key %q", provisioner, id)
	case err != nil:
		return caerr.Wrap(caerr.Internal, err, "reading key %s failed", id)
	}
	if err := e.store.DeleteACMEEABKey(ctx, id); err != nil && !errors.Is(err, storage.ErrNotFound) {
		return caerr.Wrap(caerr.Internal, err, "deleting key %s failed", id)
	}
	return nil
}

// checkACME refuses a provisioner that ca.json does not have or that is not
// ACME: a key for it could never be used.
func (e *EAB) checkACME(name string) error {
	for _, p := range e.provisioners {
		c, err := p.Common()
		if err != nil || c.Name != name {
			continue
		}
		if !strings.EqualFold(c.Type, config.ProvisionerACME) {
			return caerr.BadRequestf("provisioner %q is %s, not ACME", name, c.Type)
		}
		return nil
	}
	return caerr.BadRequestf("ca.json has no provisioner %q", name)
}

// policyJSON validates p with the policy engine that will judge orders and
// returns it as stored (nil for none).
func policyJSON(p *config.X509Policy) ([]byte, error) {
	if p == nil {
		return nil, nil
	}
	if _, err := policy.NewX509Policy(p); err != nil {
		return nil, caerr.BadRequestf("%v", err)
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, caerr.Wrap(caerr.Internal, err, "encoding the policy")
	}
	return b, nil
}

func eabInfo(k *storage.ACMEEABKey) EABKeyInfo {
	info := EABKeyInfo{ID: k.ID, Provisioner: k.Provisioner, Reference: k.Reference, Account: k.AccountID,
		CreatedAt: k.CreatedAt, Policy: k.Policy}
	if !k.BoundAt.IsZero() {
		t := k.BoundAt
		info.BoundAt = &t
	}
	return info
}

// encodeHMACKey is the form certbot (--eab-hmac-key) and lego (--hmac)
// take: base64url without padding.
func encodeHMACKey(k []byte) string { return base64.RawURLEncoding.EncodeToString(k) }
