package config

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestDurationJSON(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		out     string
		wantErr bool
	}{
		{`"24h"`, 24 * time.Hour, `"24h0m0s"`, false},
		{`"1m"`, time.Minute, `"1m0s"`, false},
		{`"1h30m"`, 90 * time.Minute, `"1h30m0s"`, false},
		{`""`, 0, `"0s"`, false},
		{`"-5m"`, -5 * time.Minute, `"-5m0s"`, false},
		{`"1d"`, 0, "", true},
		{`3600`, 0, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			var d Duration
			err := json.Unmarshal([]byte(tc.in), &d)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v", err)
			}
			if tc.wantErr {
				return
			}
			b, _ := json.Marshal(d)
			if d.Std() != tc.want || string(b) != tc.out {
				t.Errorf("got %v %s, want %v %s", d.Std(), b, tc.want, tc.out)
			}
		})
	}
}

func TestMergeClaims(t *testing.T) {
	h := func(n int) *Duration { return NewDuration(time.Duration(n) * time.Hour) }
	yes := true
	tests := []struct {
		name       string
		auth, prov *Claims
		check      func(EffectiveClaims) bool
		wantErr    string
	}{
		{"defaults", nil, nil, func(e EffectiveClaims) bool { return e == DefaultClaims() }, ""},
		{"authority raises max", &Claims{MaxTLSDur: h(2160)}, nil,
			func(e EffectiveClaims) bool { return e.TLS.Max == 2160*time.Hour && e.TLS.Default == 24*time.Hour }, ""},
		{"provisioner overrides authority", &Claims{MaxTLSDur: h(2160)}, &Claims{MaxTLSDur: h(48)},
			func(e EffectiveClaims) bool { return e.TLS.Max == 48*time.Hour }, ""},
		{"default stretches max", nil, &Claims{DefaultTLSDur: h(720)},
			func(e EffectiveClaims) bool { return e.TLS.Max == 720*time.Hour && e.TLS.Default == 720*time.Hour }, ""},
		{"default stretches min", nil, &Claims{DefaultHostSSHDur: NewDuration(time.Minute)},
			func(e EffectiveClaims) bool { return e.HostSSH.Min == time.Minute }, ""},
		{"explicit max does not stretch", nil, &Claims{DefaultTLSDur: h(48), MaxTLSDur: h(24)}, nil,
			"claims: need minTLSCertDuration (5m0s) <= defaultTLSCertDuration (48h0m0s) <= maxTLSCertDuration (24h0m0s)"},
		{"max below inherited default", nil, &Claims{MaxUserSSHDur: h(1)}, nil, "defaultUserSSHCertDuration (16h0m0s)"},
		{"booleans", &Claims{DisableRenewal: &yes}, &Claims{EnableSSHCA: &yes},
			func(e EffectiveClaims) bool { return e.EnableSSHCA && e.DisableRenewal && !e.AllowRenewalAfterExpiry }, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, err := MergeClaims(tc.auth, tc.prov)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || !tc.check(e) {
				t.Errorf("got %+v, %v", e, err)
			}
		})
	}
}
