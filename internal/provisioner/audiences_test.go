package provisioner

import "testing"

func TestAudiencesMatch(t *testing.T) {
	a := NewAudiences([]string{"ca.example.com", "::1", "10.0.0.1:9000"})
	cases := []struct {
		name     string
		op       Operation
		aud      string
		fragment string
		want     bool
	}{
		{"sign with port", OpSign, "https://ca.example.com:9000/1.0/sign", "", true},
		{"sign without 1.0", OpSign, "https://ca.example.com/sign", "", true},
		{"sign accepts ssh/sign", OpSign, "https://ca.example.com/1.0/ssh/sign", "", true},
		{"legacy sign", OpSign, "step-certificate-authority", "", true},
		{"legacy revoke", OpRevoke, "step-certificate-authority", "", true},
		{"legacy renew refused", OpRenew, "step-certificate-authority", "", false},
		{"ipv6 bracketed", OpRenew, "https://[::1]:443/1.0/renew", "", true},
		{"ip with port in dnsNames", OpRevoke, "https://10.0.0.1/revoke", "", true},
		{"revoke at sign", OpSign, "https://ca.example.com/1.0/revoke", "", false},
		{"other host", OpSign, "https://ca.example.org/1.0/sign", "", false},
		{"http scheme", OpSign, "http://ca.example.com/1.0/sign", "", false},
		{"fragment required", OpSign, "https://ca.example.com/1.0/sign", "x5c/p", false},
		{"fragment present", OpSign, "https://ca.example.com:1/1.0/sign#x5c/p", "x5c/p", true},
		{"fragment unexpected", OpSign, "https://ca.example.com/1.0/sign#x5c/p", "", false},
		{"ssh rekey", OpSSHRekey, "https://ca.example.com/1.0/ssh/rekey", "", true},
		{"ssh sign accepts sign", OpSSHSign, "https://ca.example.com/sign", "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := a.Match(tc.op, tc.aud, tc.fragment); got != tc.want {
				t.Errorf("Match(%s, %q, %q) = %v", tc.op, tc.aud, tc.fragment, got)
			}
		})
	}
}
