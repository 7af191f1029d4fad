package authority

import (
	"encoding/asn1"
	"math/big"
)

// derWriter appends DER to one buffer, for the TBSCertificate fast path.
//
// Why not cryptobyte.Builder: each of its AddASN1 calls allocates a child
// builder, and a leaf's TBSCertificate has some fifty TLVs, so the
// allocations were a third of the encoder's time. Here a constructed value
// is opened with a one-byte length placeholder and closed once its contents
// are written; the rare content of 128 bytes or more is shifted right by
// the extra length octets (DER's definite, minimal length, X.690 §10.1).
// Nesting is a few levels deep, so the shifts stay a few hundred bytes.
type derWriter struct {
	b   []byte
	bad bool // something the fast path does not write: the caller falls back
}

// DER identifier octets used by the fast path (X.690 §8.1.2).
const (
	tagBoolean         = 0x01
	tagInteger         = 0x02
	tagBitString       = 0x03
	tagOctetString     = 0x04
	tagUTF8String      = 0x0c
	tagPrintableString = 0x13
	tagUTCTime         = 0x17
	tagGeneralizedTime = 0x18
	tagSequence        = 0x30
	tagSet             = 0x31
	tagContext         = 0x80 // | n: [n] IMPLICIT, primitive
	tagContextCons     = 0xa0 // | n: [n], constructed
)

// open starts a TLV with identifier tag and returns where its contents
// start, for close.
func (d *derWriter) open(tag byte) int {
	d.b = append(d.b, tag, 0)
	return len(d.b)
}

// close writes the length of the TLV opened at start.
func (d *derWriter) close(start int) {
	n := len(d.b) - start
	if n < 0x80 {
		d.b[start-1] = byte(n)
		return
	}
	k := 1
	for n>>(8*k) != 0 {
		k++
	}
	for range k {
		d.b = append(d.b, 0)
	}
	copy(d.b[start+k:], d.b[start:start+n])
	d.b[start-1] = 0x80 | byte(k)
	for i := range k {
		d.b[start+i] = byte(n >> (8 * (k - 1 - i)))
	}
}

// tlv writes a primitive TLV with contents p.
func (d *derWriter) tlv(tag byte, p []byte) {
	s := d.open(tag)
	d.b = append(d.b, p...)
	d.close(s)
}

// tlvString is tlv for a string's bytes.
func (d *derWriter) tlvString(tag byte, p string) {
	s := d.open(tag)
	d.b = append(d.b, p...)
	d.close(s)
}

// raw appends p, already DER.
func (d *derWriter) raw(p []byte) { d.b = append(d.b, p...) }

// uint writes INTEGER v for v ≥ 0: minimal big-endian octets, with a
// leading zero octet when the top bit is set (two's complement).
func (d *derWriter) uint(v uint64) {
	s := d.open(tagInteger)
	k := 1
	for k < 8 && v>>(8*k) != 0 {
		k++
	}
	if v>>(8*k-1)&1 == 1 {
		d.b = append(d.b, 0)
	}
	for i := k - 1; i >= 0; i-- {
		d.b = append(d.b, byte(v>>(8*i)))
	}
	d.close(s)
}

// bigUint writes INTEGER n for n > 0.
func (d *derWriter) bigUint(n *big.Int) {
	s := d.open(tagInteger)
	if n.BitLen()%8 == 0 { // top bit of the first octet set
		d.b = append(d.b, 0)
	}
	off := len(d.b)
	d.b = append(d.b, make([]byte, (n.BitLen()+7)/8)...)
	n.FillBytes(d.b[off:])
	d.close(s)
}

// oid writes OBJECT IDENTIFIER o, which validOID has accepted: the first
// two arcs as one subidentifier 40·a+b, each in base 128, high bit set on
// all octets but the last (X.690 §8.19).
func (d *derWriter) oid(o asn1.ObjectIdentifier) {
	s := d.open(0x06)
	d.base128(uint64(o[0]*40 + o[1]))
	for _, a := range o[2:] {
		d.base128(uint64(a))
	}
	d.close(s)
}

func (d *derWriter) base128(v uint64) {
	k := 1
	for v>>(7*k) != 0 {
		k++
	}
	for i := k - 1; i >= 0; i-- {
		c := byte(v>>(7*i)) & 0x7f
		if i != 0 {
			c |= 0x80
		}
		d.b = append(d.b, c)
	}
}
