package codec

import (
	"strings"
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/storage"
)

// TestTimeKeyOrder: index keys sort like the times they encode, across the
// Unix epoch and up to notAfter 9999-12-31.
func TestTimeKeyOrder(t *testing.T) {
	times := []time.Time{
		{},
		time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Unix(-1, 999999999),
		time.Unix(0, 0),
		time.Unix(0, 1),
		time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
	}
	for i := 1; i < len(times); i++ {
		if a, b := string(TimeKey(times[i-1])), string(TimeKey(times[i])); a >= b {
			t.Errorf("TimeKey(%v) >= TimeKey(%v)", times[i-1], times[i])
		}
	}
	for _, tm := range times {
		got, err := ParseTime(TimeKey(tm))
		if err != nil || !got.Equal(tm) || got.IsZero() != tm.IsZero() {
			t.Errorf("ParseTime(TimeKey(%v)) = %v, %v", tm, got, err)
		}
	}
}

// TestDecodeRejectsDamage: a damaged record is an error, never a wrong value.
func TestDecodeRejectsDamage(t *testing.T) {
	cert := EncodeCertificate(&storage.Certificate{Serial: "1", DER: []byte{1, 2, 3}, SANs: []string{"a"}})
	rev := EncodeRevocation(&storage.Revocation{Serial: "1", Reason: "x"})
	cases := []struct {
		name, want string
		cert       bool
		v          []byte
	}{
		{"CertTruncated", "truncated", true, cert[:len(cert)-3]},
		{"CertTrailing", "trailing", true, append(append([]byte{}, cert...), 0)},
		{"CertVersion", "version", true, append([]byte{9}, cert[1:]...)},
		{"CertEmpty", "truncated", true, nil},
		{"RevTruncated", "truncated", false, rev[:len(rev)-1]},
		{"RevVersion", "version", false, append([]byte{0}, rev[1:]...)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var err error
			if c.cert {
				_, err = DecodeCertificate("1", c.v)
			} else {
				_, err = DecodeRevocation("1", c.v)
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error = %v, want one mentioning %q", err, c.want)
			}
		})
	}
}

// BenchmarkEncodeCertificate encodes a record shaped like bench/sign's: a
// 700-byte leaf with one 40-character SAN.
func BenchmarkEncodeCertificate(b *testing.B) {
	name := strings.Repeat("a", 24) + "-c32-1234.bench.test"
	c := &storage.Certificate{
		Serial: "1", DER: make([]byte, 700), Subject: name, SANs: []string{name},
		NotBefore: time.Now(), NotAfter: time.Now().Add(24 * time.Hour), IssuedAt: time.Now(),
		Provisioner: storage.ProvisionerRef{ID: "bench:" + strings.Repeat("k", 43), Name: "bench", Type: "JWK"},
	}
	b.ReportAllocs()
	for b.Loop() {
		EncodeCertificate(c)
	}
}
