// Package codec is the binary record format of the embedded backends (bolt
// and badger): certificate and revocation values, and the 12-byte time keys
// their indexes sort by. Both backends write the same bytes, so a record can
// move between them unchanged; SQL backends use columns instead.
//
// Records are a small versioned binary format rather than JSON: a DER
// certificate would grow by a third in base64, and encoding sits on the
// issuance hot path. Every value starts with a version byte so a later
// layout can be read beside this one. Strings and byte slices are a uvarint
// length then the bytes; integers are varints; times are TimeKey's 12 bytes.
// The serial is the record's key and is not repeated in the value.
package codec

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/stride-pki/stride/internal/storage"
)

const recordV1 = 1

// TimeLen is the size of an encoded time.
const TimeLen = 12

// TimeKey encodes t as 12 bytes that sort like the times: the Unix seconds
// with the sign bit flipped, big-endian, then the nanoseconds. Seconds rather
// than Unix nanoseconds, because a notAfter of 9999-12-31 (RFC 5280
// §4.1.2.5) does not fit in an int64 of nanoseconds.
func TimeKey(t time.Time) []byte {
	return AppendTime(make([]byte, 0, TimeLen), t)
}

// AppendTime appends TimeKey(t) to b.
func AppendTime(b []byte, t time.Time) []byte {
	b = binary.BigEndian.AppendUint64(b, uint64(t.Unix())^(1<<63))
	return binary.BigEndian.AppendUint32(b, uint32(t.Nanosecond()))
}

// ParseTime decodes the first TimeLen bytes of b, in UTC.
func ParseTime(b []byte) (time.Time, error) {
	if len(b) < TimeLen {
		return time.Time{}, errors.New("truncated time")
	}
	sec := int64(binary.BigEndian.Uint64(b) ^ (1 << 63))
	nsec := binary.BigEndian.Uint32(b[8:])
	if nsec >= 1e9 {
		return time.Time{}, fmt.Errorf("invalid nanoseconds %d", nsec)
	}
	// The zero time.Time encodes as year 1 and decodes back to IsZero.
	return time.Unix(sec, int64(nsec)).UTC(), nil
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendBytes(b, v []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}

// EncodeCertificate returns c's record, without the serial.
func EncodeCertificate(c *storage.Certificate) []byte {
	// Size the record exactly enough (each string's length prefix is at
	// most binary.MaxVarintLen64) so it is built in one allocation; a
	// guess per SAN was short for long names and cost a regrowth.
	n := 1 + len(c.DER) + len(c.Subject) + len(c.Provisioner.ID) + len(c.Provisioner.Name) +
		len(c.Provisioner.Type) + len(c.RenewedFrom) + 3*TimeLen + 7*binary.MaxVarintLen64
	for _, san := range c.SANs {
		n += binary.MaxVarintLen64 + len(san)
	}
	b := make([]byte, 0, n)
	b = append(b, recordV1)
	b = appendBytes(b, c.DER)
	b = appendString(b, c.Subject)
	b = binary.AppendUvarint(b, uint64(len(c.SANs)))
	for _, san := range c.SANs {
		b = appendString(b, san)
	}
	b = AppendTime(b, c.NotBefore)
	b = AppendTime(b, c.NotAfter)
	b = AppendTime(b, c.IssuedAt)
	b = appendString(b, c.Provisioner.ID)
	b = appendString(b, c.Provisioner.Name)
	b = appendString(b, c.Provisioner.Type)
	return appendString(b, c.RenewedFrom)
}

// DecodeCertificate parses the record v of the certificate with serial; a
// damaged or unknown record is an error, never a partial value. The result
// shares no memory with v.
func DecodeCertificate(serial string, v []byte) (*storage.Certificate, error) {
	r := reader{b: v}
	r.version()
	c := &storage.Certificate{Serial: serial}
	c.DER = r.bytes()
	c.Subject = r.string()
	if n := r.uvarint(); n > 0 && r.err == nil {
		if n > uint64(len(r.b)) { // each SAN takes at least one byte
			r.fail(errors.New("SAN count exceeds record"))
		} else {
			c.SANs = make([]string, n)
			for i := range c.SANs {
				c.SANs[i] = r.string()
			}
		}
	}
	c.NotBefore, c.NotAfter, c.IssuedAt = r.time(), r.time(), r.time()
	c.Provisioner.ID, c.Provisioner.Name, c.Provisioner.Type = r.string(), r.string(), r.string()
	c.RenewedFrom = r.string()
	if err := r.done(); err != nil {
		return nil, fmt.Errorf("decode certificate %s: %w", serial, err)
	}
	return c, nil
}

const (
	flagMTLS = 1 << iota
	flagACME
)

// EncodeRevocation returns rev's record, without the serial.
func EncodeRevocation(rev *storage.Revocation) []byte {
	b := make([]byte, 0, 64+len(rev.Reason)+len(rev.ProvisionerID)+len(rev.TokenID))
	b = append(b, recordV1)
	b = binary.AppendVarint(b, int64(rev.ReasonCode))
	b = appendString(b, rev.Reason)
	b = AppendTime(b, rev.RevokedAt)
	b = AppendTime(b, rev.ExpiresAt)
	b = appendString(b, rev.ProvisionerID)
	b = appendString(b, rev.TokenID)
	var flags byte
	if rev.MTLS {
		flags |= flagMTLS
	}
	if rev.ACME {
		flags |= flagACME
	}
	return append(b, flags)
}

// DecodeRevocation parses the record v of serial's revocation, as
// DecodeCertificate does.
func DecodeRevocation(serial string, v []byte) (*storage.Revocation, error) {
	r := reader{b: v}
	r.version()
	rev := &storage.Revocation{Serial: serial}
	rev.ReasonCode = int(r.varint())
	rev.Reason = r.string()
	rev.RevokedAt, rev.ExpiresAt = r.time(), r.time()
	rev.ProvisionerID, rev.TokenID = r.string(), r.string()
	flags := r.byte()
	rev.MTLS, rev.ACME = flags&flagMTLS != 0, flags&flagACME != 0
	if err := r.done(); err != nil {
		return nil, fmt.Errorf("decode revocation %s: %w", serial, err)
	}
	return rev, nil
}

// reader decodes a record; the first error sticks and later reads return
// zero values, so decoders read straight through and check once.
type reader struct {
	b   []byte
	err error
}

func (r *reader) fail(err error) {
	if r.err == nil {
		r.err = err
		r.b = nil
	}
}

func (r *reader) version() {
	if v := r.byte(); r.err == nil && v != recordV1 {
		r.fail(fmt.Errorf("unknown record version %d", v))
	}
}

func (r *reader) byte() byte {
	if len(r.b) < 1 {
		r.fail(errors.New("truncated record"))
		return 0
	}
	v := r.b[0]
	r.b = r.b[1:]
	return v
}

func (r *reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail(errors.New("truncated record or bad length"))
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail(errors.New("truncated record or bad integer"))
		return 0
	}
	r.b = r.b[n:]
	return v
}

// raw returns the next length-prefixed field, still pointing into the
// caller's buffer (often a database page): callers copy it.
func (r *reader) raw() []byte {
	n := r.uvarint()
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.b)) {
		r.fail(errors.New("field exceeds record"))
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

// bytes copies, because bbolt's and Badger's values are valid only for the
// life of the transaction (or the Item.Value callback).
func (r *reader) bytes() []byte {
	v := r.raw()
	if len(v) == 0 {
		return nil
	}
	return append([]byte(nil), v...)
}

func (r *reader) string() string { return string(r.raw()) } // string() copies

func (r *reader) time() time.Time {
	if r.err != nil {
		return time.Time{}
	}
	t, err := ParseTime(r.b)
	if err != nil {
		r.fail(err)
		return time.Time{}
	}
	r.b = r.b[TimeLen:]
	return t
}

func (r *reader) done() error {
	if r.err == nil && len(r.b) != 0 {
		r.fail(fmt.Errorf("%d trailing bytes", len(r.b)))
	}
	return r.err
}

// DecodeToken is a used-token record: its value is the expiry time key, or
// empty for a token that never expires from the store.
func DecodeToken(id string, v []byte) (storage.UsedToken, error) {
	tok := storage.UsedToken{ID: id}
	if len(v) == 0 {
		return tok, nil
	}
	exp, err := ParseTime(v)
	if err != nil {
		return tok, err
	}
	tok.ExpiresAt = exp
	return tok, nil
}
