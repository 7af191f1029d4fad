package cacmd

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/client"
)

func TestChooseX5CProvisioner(t *testing.T) {
	list := []client.Provisioner{{Type: "JWK", Name: "admin"}, {Type: "X5C", Name: "devices"}, {Type: "ACME", Name: "acme"}}
	cmd := &cobra.Command{}
	cmd.SetIn(strings.NewReader(""))
	for _, tc := range []struct {
		name, prov string
		list       []client.Provisioner
		want, err  string
	}{
		{"the only one", "", list, "devices", ""},
		{"by name", "devices", list, "devices", ""},
		{"a JWK name", "admin", list, "", "no X5C provisioner is named"},
		{"none", "", list[:1], "", "no X5C provisioner"},
		{"several", "", append(list, client.Provisioner{Type: "X5C", Name: "more"}), "", "several X5C provisioners"},
	} {
		f := &provFlags{provisioner: tc.prov}
		p, err := f.chooseType(cmd, tc.list, "X5C")
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.err)
		case tc.err == "" && (err != nil || p.Name != tc.want):
			t.Errorf("%s: got %v (%v), want %s", tc.name, p, err, tc.want)
		}
	}
}

func TestCheckX5CFlags(t *testing.T) {
	for _, tc := range []struct {
		f   provFlags
		err string
	}{
		{provFlags{}, ""},
		{provFlags{x5cCert: "c", x5cKey: "k", x5cChain: "i"}, ""},
		{provFlags{x5cKey: "k"}, "need --x5c-cert"},
		{provFlags{x5cChain: "i"}, "need --x5c-cert"},
		{provFlags{x5cCert: "c"}, "needs --x5c-key"},
		{provFlags{x5cCert: "c", x5cKey: "k", key: "j"}, "leave out --key"},
	} {
		err := tc.f.checkX5C()
		if (tc.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%+v: %v, want %q", tc.f, err, tc.err)
		}
	}
}
