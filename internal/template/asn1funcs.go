package template

import (
	"bytes"
	"encoding/asn1"
	"encoding/base64"
	"fmt"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The ASN.1 helpers build extension values inside a template. Each returns
// base64 DER, the form `extensions[].value` takes, and they compose:
// asn1Seq (asn1Enc "int:1") (asn1Enc "utf8:x").

// asn1Enc encodes one "type:value" string. Types: int, oid, utf8, printable,
// ia5, numeric, bool, generalized and utc (RFC 3339 input), raw (base64 DER,
// checked and passed through). A string without a known type prefix is
// encoded whole as a UTF8String.
func asn1Enc(s string) (string, error) {
	typ, val, ok := strings.Cut(s, ":")
	if !ok {
		typ, val = "utf8", s
	}
	der, err := encodeTyped(typ, val)
	if err == errUnknownPrefix {
		der, err = asn1.MarshalWithParams(s, "utf8")
	}
	if err != nil {
		return "", fmt.Errorf("asn1Enc %q: %w", s, err)
	}
	return base64.StdEncoding.EncodeToString(der), nil
}

var errUnknownPrefix = fmt.Errorf("unknown asn1Enc prefix")

func encodeTyped(typ, val string) ([]byte, error) {
	switch typ {
	case "int":
		n, ok := new(big.Int).SetString(val, 0)
		if !ok {
			return nil, fmt.Errorf("invalid integer")
		}
		return asn1.Marshal(n)
	case "oid":
		oid, err := ParseOID(val)
		if err != nil {
			return nil, err
		}
		return asn1.Marshal(oid)
	case "utf8", "printable", "ia5", "numeric":
		return asn1.MarshalWithParams(val, typ)
	case "bool":
		b, err := strconv.ParseBool(val)
		if err != nil {
			return nil, err
		}
		return asn1.Marshal(b)
	case "generalized", "utc":
		t, err := time.Parse(time.RFC3339, val)
		if err != nil {
			return nil, err
		}
		return asn1.MarshalWithParams(t.UTC(), typ)
	case "raw":
		return decodeDER(val)
	}
	return nil, errUnknownPrefix
}

// asn1Marshal encodes any value Go's encoding/asn1 can, with optional field
// parameters ("utf8", "explicit,tag:1", …). Whole float64 values, which is
// how JSON numbers arrive from token claims, are encoded as integers.
func asn1Marshal(v any, params ...string) (string, error) {
	if f, ok := v.(float64); ok && f == math.Trunc(f) && math.Abs(f) < 1<<63 {
		v = int64(f)
	}
	der, err := asn1.MarshalWithParams(v, strings.Join(params, ","))
	if err != nil {
		return "", fmt.Errorf("asn1Marshal: %w", err)
	}
	return base64.StdEncoding.EncodeToString(der), nil
}

// asn1Seq wraps base64 DER elements, in order, in a SEQUENCE.
func asn1Seq(items ...string) (string, error) {
	return asn1Wrap(asn1.TagSequence, false, items)
}

// asn1Set wraps base64 DER elements in a SET, sorted by encoding as DER
// requires of a SET OF.
func asn1Set(items ...string) (string, error) {
	return asn1Wrap(asn1.TagSet, true, items)
}

func asn1Wrap(tag int, sorted bool, items []string) (string, error) {
	elems := make([][]byte, 0, len(items))
	for _, it := range items {
		der, err := decodeDER(it)
		if err != nil {
			return "", fmt.Errorf("asn1 element %q: %w", it, err)
		}
		elems = append(elems, der)
	}
	if sorted {
		slices.SortFunc(elems, bytes.Compare)
	}
	der, err := asn1.Marshal(asn1.RawValue{Tag: tag, IsCompound: true, Bytes: bytes.Join(elems, nil)})
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(der), nil
}

// decodeDER decodes base64 and checks it is exactly one DER element, so a
// typo fails the template instead of producing a broken certificate.
func decodeDER(s string) ([]byte, error) {
	der, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("not base64: %w", err)
	}
	var rv asn1.RawValue
	rest, err := asn1.Unmarshal(der, &rv)
	if err != nil {
		return nil, fmt.Errorf("not DER: %w", err)
	}
	if len(rest) > 0 {
		return nil, fmt.Errorf("trailing data after DER element")
	}
	return der, nil
}
