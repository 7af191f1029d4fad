// Package acmejson is the JSON the SQL backends (postgres, mysql) keep in
// the ACME tables' document columns: an order's identifiers and an
// authorization's challenges, lists that are read and written whole and
// never queried by their parts. Both backends write the same documents, so
// a row means the same on either.
//
// The documents have their own field names rather than the storage
// structs' Go names, so renaming a Go field cannot change what is stored;
// byte fields are base64 (encoding/json's form), so a problem document
// comes back byte for byte even when it is not valid JSON.
package acmejson

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/stride-pki/stride/internal/storage"
)

type identifier struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

type challenge struct {
	ID     string `json:"id"`
	Type   string `json:"type"`
	Status string `json:"status"`
	// ValidatedAt is RFC 3339 in UTC with nanoseconds; absent when zero.
	ValidatedAt string `json:"validatedAt,omitempty"`
	Error       []byte `json:"error"` // null when nil, "" when empty: both come back as given
}

// EncodeIdentifiers returns ids as a JSON array, in their order ("[]" for none).
func EncodeIdentifiers(ids []storage.ACMEIdentifier) []byte {
	doc := make([]identifier, len(ids))
	for i, id := range ids {
		doc[i] = identifier(id)
	}
	return mustMarshal(doc)
}

// DecodeIdentifiers parses EncodeIdentifiers' output; none decodes to nil.
func DecodeIdentifiers(b []byte) ([]storage.ACMEIdentifier, error) {
	var doc []identifier
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("decode identifiers: %w", err)
	}
	if len(doc) == 0 {
		return nil, nil
	}
	ids := make([]storage.ACMEIdentifier, len(doc))
	for i, id := range doc {
		ids[i] = storage.ACMEIdentifier(id)
	}
	return ids, nil
}

// EncodeChallenges returns chs as a JSON array, in their order.
func EncodeChallenges(chs []storage.ACMEChallenge) []byte {
	doc := make([]challenge, len(chs))
	for i, ch := range chs {
		doc[i] = challenge{ID: ch.ID, Type: ch.Type, Status: ch.Status, Error: ch.Error}
		if !ch.ValidatedAt.IsZero() {
			doc[i].ValidatedAt = ch.ValidatedAt.UTC().Format(time.RFC3339Nano)
		}
	}
	return mustMarshal(doc)
}

// DecodeChallenges parses EncodeChallenges' output; none decodes to nil.
func DecodeChallenges(b []byte) ([]storage.ACMEChallenge, error) {
	var doc []challenge
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("decode challenges: %w", err)
	}
	if len(doc) == 0 {
		return nil, nil
	}
	chs := make([]storage.ACMEChallenge, len(doc))
	for i, ch := range doc {
		chs[i] = storage.ACMEChallenge{ID: ch.ID, Type: ch.Type, Status: ch.Status, Error: ch.Error}
		if ch.ValidatedAt != "" {
			t, err := time.Parse(time.RFC3339Nano, ch.ValidatedAt)
			if err != nil {
				return nil, fmt.Errorf("decode challenge %s: %w", ch.ID, err)
			}
			chs[i].ValidatedAt = t.UTC()
		}
	}
	return chs, nil
}

// EncodeStrings returns ss as a JSON array ("[]" for none), for the
// backends without an array type (contacts, authorization IDs).
func EncodeStrings(ss []string) []byte {
	if ss == nil {
		ss = []string{}
	}
	return mustMarshal(ss)
}

// DecodeStrings parses EncodeStrings' output; none decodes to nil.
func DecodeStrings(b []byte) ([]string, error) {
	var ss []string
	if err := json.Unmarshal(b, &ss); err != nil {
		return nil, fmt.Errorf("decode string list: %w", err)
	}
	if len(ss) == 0 {
		return nil, nil
	}
	return ss, nil
}

// mustMarshal marshals the documents above, which hold only strings and
// bytes: encoding/json cannot fail on them (invalid UTF-8 is replaced, as
// in every JSON column).
func mustMarshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("acmejson: " + err.Error())
	}
	return b
}
