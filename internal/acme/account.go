package acme

import (
	"context"
	"encoding/json"
	"errors"
	"net/mail"
	"strings"

	"github.com/stride-pki/stride/internal/storage"
)

// NewAccountRequest is a new-account payload (RFC 8555 §7.3) with the
// verified JWS key: Key is its public JWK (JSON), KeyID its RFC 7638
// thumbprint, URL the new-account URL (for the EAB check).
type NewAccountRequest struct {
	Contact                []string        `json:"contact"`
	TermsOfServiceAgreed   bool            `json:"termsOfServiceAgreed"`
	OnlyReturnExisting     bool            `json:"onlyReturnExisting"`
	ExternalAccountBinding json.RawMessage `json:"externalAccountBinding"`

	Key   []byte `json:"-"`
	KeyID string `json:"-"`
	URL   string `json:"-"`
}

// AccountUpdate is an account POST payload (RFC 8555 §7.3.2, §7.3.6).
type AccountUpdate struct {
	Contact *[]string `json:"contact"`
	Status  Status    `json:"status"`
}

// NewAccount returns the account of req.Key, creating it unless
// OnlyReturnExisting; created says whether it is new. A key has one
// account per provisioner: a repeated request returns the same account.
func (s *Service) NewAccount(ctx context.Context, p *Provisioner, req NewAccountRequest) (*storage.ACMEAccount, bool, error) {
	acct, err := s.store.ACMEAccountByKey(ctx, p.Name, req.KeyID)
	switch {
	case err == nil && acct.Status != string(StatusValid):
		// RFC 8555 §7.3.6: a deactivated account answers nothing but 401.
		return nil, false, problemf(ProbUnauthorized, "the account of this key is %s", acct.Status)
	case err == nil:
		return acct, false, nil
	case !errors.Is(err, storage.ErrNotFound):
		return nil, false, internal(err, "to look the account up")
	case req.OnlyReturnExisting:
		return nil, false, problemf(ProbAccountDoesNotExist, "no account exists with this key")
	}
	if err := checkContacts(req.Contact); err != nil {
		return nil, false, err
	}
	eabKeyID, err := s.checkEAB(ctx, p, req)
	if err != nil {
		return nil, false, err
	}
	acct = &storage.ACMEAccount{ID: newID(), Provisioner: p.Name, KeyID: req.KeyID, Key: req.Key,
		Contact: req.Contact, Status: string(StatusValid), EABKeyID: eabKeyID, CreatedAt: s.now().UTC()}
	err = s.store.CreateACMEAccount(ctx, acct)
	switch {
	case errors.Is(err, storage.ErrConflict):
		// Two requests with one key raced; the winner's account is the answer.
		if won, err := s.store.ACMEAccountByKey(ctx, p.Name, req.KeyID); err == nil {
			return won, false, nil
		}
		return nil, false, internal(err, "to create the account")
	case errors.Is(err, storage.ErrEABKeyBound):
		return nil, false, problemf(ProbUnauthorized, "the external account key is bound to another account")
	case errors.Is(err, storage.ErrNotFound):
		return nil, false, problemf(ProbUnauthorized, "the external account key does not exist")
	case err != nil:
		return nil, false, internal(err, "to create the account")
	}
	return acct, true, nil
}

// checkEAB runs the external account binding hook (RFC 8555 §7.3.4).
func (s *Service) checkEAB(ctx context.Context, p *Provisioner, req NewAccountRequest) (string, error) {
	var binding []byte
	if len(req.ExternalAccountBinding) > 0 && string(req.ExternalAccountBinding) != "null" {
		binding = req.ExternalAccountBinding
	}
	if binding == nil && p.RequireEAB {
		return "", problemf(ProbExternalAccountRequired, "this provisioner requires external account binding")
	}
	return s.eab(ctx, p, binding, req.Key, req.URL)
}

// checkContacts accepts mailto: URLs with one address each (§7.3).
func checkContacts(contacts []string) *Problem {
	for _, c := range contacts {
		addr, ok := strings.CutPrefix(c, "mailto:")
		if !ok {
			return problemf(ProbUnsupportedContact, "contact %q: only mailto: contacts are supported", c)
		}
		parsed, err := mail.ParseAddress(addr)
		if err != nil || parsed.Address != addr || strings.ContainsAny(addr, "?,") {
			return problemf(ProbInvalidContact, "contact %q is not a single e-mail address", c)
		}
	}
	return nil
}

// Account returns the valid account id of provisioner p for a request
// signed with kid: accountDoesNotExist when there is none (or it is
// another provisioner's), unauthorized when it is deactivated or revoked.
func (s *Service) Account(ctx context.Context, p *Provisioner, id string) (*storage.ACMEAccount, error) {
	acct, err := s.store.ACMEAccount(ctx, id)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return nil, problemf(ProbAccountDoesNotExist, "the account does not exist")
	case err != nil:
		return nil, internal(err, "to look the account up")
	case acct.Provisioner != p.Name:
		return nil, problemf(ProbAccountDoesNotExist, "the account does not exist")
	case acct.Status != string(StatusValid):
		return nil, problemf(ProbUnauthorized, "the account is %s", acct.Status)
	}
	return acct, nil
}

// UpdateAccount changes the contacts or deactivates the account (the two
// are exclusive); an empty update returns it unchanged (POST-as-GET).
func (s *Service) UpdateAccount(ctx context.Context, acct *storage.ACMEAccount, u AccountUpdate) (*storage.ACMEAccount, error) {
	if u.Status != "" && u.Contact != nil {
		return nil, Malformedf("change the contacts and the status in separate requests")
	}
	switch u.Status {
	case "":
	case StatusDeactivated:
	default:
		return nil, Malformedf("an account's status can only be changed to deactivated")
	}
	if u.Contact != nil {
		if err := checkContacts(*u.Contact); err != nil {
			return nil, err
		}
	}
	if u.Status == "" && u.Contact == nil {
		return acct, nil
	}
	for try := 0; ; try++ {
		if try == maxStaleRetries {
			return nil, internal(storage.ErrStale, "to update the account (it kept changing)")
		}
		if u.Status != "" {
			acct.Status = string(u.Status)
		} else {
			acct.Contact = *u.Contact
		}
		err := s.store.UpdateACMEAccount(ctx, acct)
		if !errors.Is(err, storage.ErrStale) {
			if err != nil {
				return nil, internal(err, "to update the account")
			}
			return acct, nil
		}
		if acct, err = s.store.ACMEAccount(ctx, acct.ID); err != nil {
			return nil, internal(err, "to update the account")
		}
		if acct.Status != string(StatusValid) {
			return nil, problemf(ProbUnauthorized, "the account is %s", acct.Status)
		}
	}
}
