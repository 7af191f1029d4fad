package acmejson

import (
	"reflect"
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/storage"
)

func TestRoundTrip(t *testing.T) {
	at := time.Date(2026, 3, 14, 15, 9, 26, 535897932, time.FixedZone("x", 3600))
	tests := []struct {
		name string
		chs  []storage.ACMEChallenge
		ids  []storage.ACMEIdentifier
		ss   []string
	}{
		{name: "none"},
		{
			name: "some",
			chs: []storage.ACMEChallenge{
				{ID: "b", Type: "http-01", Status: "pending"},
				{ID: "a", Type: "dns-01", Status: "invalid", ValidatedAt: at, Error: []byte("not json {")},
				{ID: "c", Type: "tls-alpn-01", Status: "valid", Error: []byte{}},
			},
			ids: []storage.ACMEIdentifier{{Type: "dns", Value: "b.example"}, {Type: "ip", Value: "::1"}},
			ss:  []string{"mailto:z@example.com", "", "mailto:a@example.com"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			chs, err := DecodeChallenges(EncodeChallenges(tt.chs))
			if err != nil {
				t.Fatal(err)
			}
			want := append([]storage.ACMEChallenge(nil), tt.chs...)
			for i := range want {
				if !want[i].ValidatedAt.IsZero() {
					want[i].ValidatedAt = want[i].ValidatedAt.UTC()
				}
			}
			if !reflect.DeepEqual(chs, want) {
				t.Errorf("challenges = %+v, want %+v", chs, want)
			}
			ids, err := DecodeIdentifiers(EncodeIdentifiers(tt.ids))
			if err != nil || !reflect.DeepEqual(ids, tt.ids) {
				t.Errorf("identifiers = %+v, %v; want %+v", ids, err, tt.ids)
			}
			ss, err := DecodeStrings(EncodeStrings(tt.ss))
			if err != nil || !reflect.DeepEqual(ss, tt.ss) {
				t.Errorf("strings = %q, %v; want %q", ss, err, tt.ss)
			}
		})
	}
}

func TestDecodeDamaged(t *testing.T) {
	if _, err := DecodeChallenges([]byte(`[{"id":"a","validatedAt":"yesterday"}]`)); err == nil {
		t.Error("DecodeChallenges accepted a bad time")
	}
	if _, err := DecodeIdentifiers([]byte(`{`)); err == nil {
		t.Error("DecodeIdentifiers accepted truncated JSON")
	}
}
