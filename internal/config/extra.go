package config

import (
	"bytes"
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"sync"
)

// Extra holds the members of a JSON object that no field of its struct
// claims, so that a ca.json written by a newer step-ca (or edited by hand)
// keeps them when Stride rewrites it. It also keeps known members whose
// value was empty ("enableAdmin": false, "password": "") that omitempty
// would drop; those are written back only while their field stays empty. Every config struct has one, named
// Extra, and a MarshalJSON that calls marshalWithExtra; Parse fills them all
// in one pass (fillExtra) after a plain json.Unmarshal, which is what keeps
// the line and column of decoding errors exact.
type Extra map[string]json.RawMessage

var extraType = reflect.TypeOf(Extra(nil))

// jsonFields maps the JSON member names of a struct type to field indexes.
// Go's decoder matches names case-insensitively, so lookups fall back to that.
type jsonFields struct {
	exact map[string]int
	names []string     // in declaration order, for case-insensitive lookup
	omit  map[int]bool // fields tagged omitempty
	extra int          // index of the Extra field, -1 when the struct has none
}

var fieldCache sync.Map // reflect.Type -> *jsonFields

func fieldsOf(t reflect.Type) *jsonFields {
	if f, ok := fieldCache.Load(t); ok {
		return f.(*jsonFields)
	}
	f := &jsonFields{exact: map[string]int{}, omit: map[int]bool{}, extra: -1}
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if sf.Type == extraType && sf.Name == "Extra" {
			f.extra = i
			continue
		}
		if !sf.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		f.omit[i] = strings.Contains(","+opts+",", ",omitempty,")
		if name == "" {
			name = sf.Name
		}
		f.exact[name] = i
		f.names = append(f.names, name)
	}
	fieldCache.Store(t, f)
	return f
}

// lookup returns the field a JSON member name decodes into, as Go's decoder
// picks it: the exact name first, then a case-insensitive match.
func (f *jsonFields) lookup(key string) (int, bool) {
	if i, ok := f.exact[key]; ok {
		return i, true
	}
	for _, n := range f.names {
		if strings.EqualFold(n, key) {
			return f.exact[n], true
		}
	}
	return 0, false
}

// fillExtra walks raw beside v, which json.Unmarshal has just decoded from
// raw, and stores in each struct's Extra the members no field claimed.
// Values with their own UnmarshalJSON (Provisioner, Duration…) are leaves.
func fillExtra(raw json.RawMessage, v reflect.Value) {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	if v.CanAddr() && v.Addr().Type().Implements(unmarshalerType) {
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		fillStructExtra(raw, v)
	case reflect.Slice, reflect.Array:
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			return
		}
		for i := 0; i < len(items) && i < v.Len(); i++ {
			fillExtra(items[i], v.Index(i))
		}
	case reflect.Map:
		fillMapExtra(raw, v)
	}
}

var unmarshalerType = reflect.TypeOf((*json.Unmarshaler)(nil)).Elem()

func fillStructExtra(raw json.RawMessage, v reflect.Value) {
	var members map[string]json.RawMessage
	if json.Unmarshal(raw, &members) != nil {
		return
	}
	f := fieldsOf(v.Type())
	extra := Extra{}
	for k, m := range members {
		i, ok := f.lookup(k)
		switch {
		case !ok:
			extra[k] = m
		case f.omit[i] && isEmptyValue(v.Field(i)):
			extra[k] = m // present but empty: omitempty would drop it
		default:
			fillExtra(m, v.Field(i))
		}
	}
	if f.extra >= 0 && len(extra) > 0 {
		v.Field(f.extra).Set(reflect.ValueOf(extra))
	}
}

// fillMapExtra handles maps of structs (contexts.json): map values are not
// addressable, so each is copied, filled and stored back.
func fillMapExtra(raw json.RawMessage, v reflect.Value) {
	if v.Type().Key().Kind() != reflect.String || v.Type().Elem().Kind() != reflect.Struct {
		return
	}
	var members map[string]json.RawMessage
	if json.Unmarshal(raw, &members) != nil {
		return
	}
	for k, m := range members {
		key := reflect.ValueOf(k).Convert(v.Type().Key())
		cur := v.MapIndex(key)
		if !cur.IsValid() {
			continue
		}
		cp := reflect.New(cur.Type()).Elem()
		cp.Set(cur)
		fillExtra(m, cp)
		v.SetMapIndex(key, cp)
	}
}

// marshalWithExtra marshals plain (a struct converted to a method-less twin
// type, so this is not called again) and appends the members of extra that
// no field already writes, sorted, after the known ones.
func marshalWithExtra(plain any, extra Extra) ([]byte, error) {
	b, err := json.Marshal(plain)
	if err != nil || len(extra) == 0 {
		return b, err
	}
	pv := reflect.ValueOf(plain)
	f := fieldsOf(pv.Type())
	keys := make([]string, 0, len(extra))
	for k := range extra {
		// A known member is written from its field, unless the field is
		// empty and omitted: then the empty value read is written back.
		if i, known := f.lookup(k); !known || (f.omit[i] && isEmptyValue(pv.Field(i))) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var buf bytes.Buffer
	buf.Write(b[:len(b)-1]) // drop '}'
	sep := len(b) > 2
	for _, k := range keys {
		v := extra[k]
		if len(bytes.TrimSpace(v)) == 0 {
			v = json.RawMessage("null")
		}
		kb, _ := json.Marshal(k)
		if sep {
			buf.WriteByte(',')
		}
		sep = true
		buf.Write(kb)
		buf.WriteByte(':')
		buf.Write(v)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// isEmptyValue is encoding/json's omitempty test.
func isEmptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool:
		return !v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() == 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return v.Uint() == 0
	case reflect.Float32, reflect.Float64:
		return v.Float() == 0
	case reflect.Interface, reflect.Pointer:
		return v.IsNil()
	}
	return false
}
