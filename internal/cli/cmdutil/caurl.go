package cmdutil

import (
	"net"
	"strings"

	"github.com/stride-pki/stride/internal/config"
)

// CAURLOf builds https://<first dnsName>[:port] from ca.json: the URL the
// CA serves itself at, for commands that work from --ca-config.
func CAURLOf(cfg *config.CAConfig) (string, error) {
	if len(cfg.DNSNames) == 0 {
		return "", Usagef("ca.json has no dnsNames: pass --ca-url")
	}
	host := cfg.DNSNames[0]
	if _, port, err := net.SplitHostPort(cfg.Address); err == nil && port != "443" {
		return "https://" + net.JoinHostPort(host, port), nil
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return "https://" + host, nil
}
