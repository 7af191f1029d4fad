package badger

import (
	"errors"
	"time"

	"github.com/stride-pki/stride/internal/storage"
	"github.com/stride-pki/stride/internal/storage/codec"
)

// Key layout. Badger has one key space; the first byte of a key says what
// kind of record it is, and the rest is the record's own key (values are
// package codec's records):
//
//	'm' "schema"                   -> "1"
//	'c' serial                     -> certificate record
//	'n' notAfter (time key) serial -> empty   certificates by notAfter
//	'r' serial                     -> revocation record
//	't' token ID                   -> exp (time key), empty when unknown
//	'e' exp (time key) token ID    -> empty   tokens by expiry
//	'A'…'K' (acmeKinds in acme.go)  -> ACME records and indexes (package acmekv)
//
// Serials are decimal ASCII and token IDs arbitrary bytes; the fixed-size
// kind byte and time key need no separator. The index entries are written
// in the same transaction as their rows: 'n' serves expiry listings later,
// 'e' lets PurgeTokens walk only the expired tokens. Changing a kind byte
// or a record is a schema change (keySchema's value).
const (
	kindMeta         = 'm'
	kindCert         = 'c'
	kindCertByExpiry = 'n'
	kindRevocation   = 'r'
	kindToken        = 't'
	kindTokenByExp   = 'e'
)

var (
	keySchema     = []byte{kindMeta, 's', 'c', 'h', 'e', 'm', 'a'}
	schemaVersion = []byte("1")
)

// maxIDLen keeps the longest key (kind, time key, ID) within Badger's
// 65,000-byte key limit.
const maxIDLen = 65000 - 1 - codec.TimeLen

// Caller bugs, rejected before any transaction.
var (
	errEmptySerial    = errors.New("badger: empty serial")
	errEmptyTokenID   = errors.New("badger: empty token ID")
	errSerialTooLong  = errors.New("badger: serial too long")
	errTokenIDTooLong = errors.New("badger: token ID too long")
)

func checkSerial(serial string) error {
	switch {
	case serial == "":
		return errEmptySerial
	case len(serial) > maxIDLen:
		return errSerialTooLong
	}
	return nil
}

func checkToken(tok *storage.UsedToken) error {
	switch {
	case tok == nil:
		return nil
	case tok.ID == "":
		return errEmptyTokenID
	case len(tok.ID) > maxIDLen:
		return errTokenIDTooLong
	}
	return nil
}

// rowKey is kind ‖ id.
func rowKey(kind byte, id string) []byte {
	return append(append(make([]byte, 0, 1+len(id)), kind), id...)
}

// indexKey is kind ‖ time key of t ‖ id.
func indexKey(kind byte, t time.Time, id string) []byte {
	b := make([]byte, 0, 1+codec.TimeLen+len(id))
	b = codec.AppendTime(append(b, kind), t)
	return append(b, id...)
}

func certKey(serial string) []byte       { return rowKey(kindCert, serial) }
func revocationKey(serial string) []byte { return rowKey(kindRevocation, serial) }
func tokenKey(id string) []byte          { return rowKey(kindToken, id) }

func certExpiryKey(notAfter time.Time, serial string) []byte {
	return indexKey(kindCertByExpiry, notAfter, serial)
}

func tokenExpiryKey(exp time.Time, id string) []byte {
	return indexKey(kindTokenByExp, exp, id)
}
