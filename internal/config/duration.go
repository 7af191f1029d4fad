package config

import (
	"encoding/json"
	"fmt"
	"reflect"
	"time"
)

// Duration is a time.Duration written in JSON as a Go duration string
// ("24h0m0s"), as step-ca writes claims, backdate and CRL periods.
type Duration time.Duration

// NewDuration returns a pointer to d, for the optional fields.
func NewDuration(d time.Duration) *Duration { v := Duration(d); return &v }

// Std returns the value as a time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }

func (d Duration) String() string { return time.Duration(d).String() }

// MarshalJSON writes the Go duration string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads a Go duration string; "" is zero, as step accepts it
// for unset periods. A bad value is reported as an UnmarshalTypeError with no
// offset, which the decoder completes with the field's path.
func (d *Duration) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return &json.UnmarshalTypeError{Value: jsonKind(b), Type: reflect.TypeOf(d).Elem(), Offset: -1}
	}
	if s == "" {
		*d = 0
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return &json.UnmarshalTypeError{Value: fmt.Sprintf("string %q", s), Type: reflect.TypeOf(d).Elem(), Offset: -1}
	}
	*d = Duration(v)
	return nil
}

// jsonKind names the JSON type of a value, for error messages.
func jsonKind(b []byte) string {
	if len(b) == 0 {
		return "value"
	}
	switch b[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "bool"
	case 'n':
		return "null"
	default:
		return "number"
	}
}
