package policy

import (
	"errors"
	"net"
	"net/netip"
	"strings"
)

// parseIPRule parses an ip rule: one address (a /32 or /128) or a CIDR.
// IPv4-mapped IPv6 forms are folded to IPv4 so that a rule and a name written
// either way meet; host bits in a CIDR are masked off, as net.ParseCIDR does.
func parseIPRule(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	if a.Zone() != "" {
		return netip.Prefix{}, errors.New("zoned addresses are not allowed")
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// addrOf converts a certificate's net.IP (4 or 16 bytes) to a comparable
// address; ok is false for any other length.
func addrOf(ip net.IP) (netip.Addr, bool) {
	a, ok := netip.AddrFromSlice(ip)
	return a.Unmap(), ok
}

func matchIP(rules []netip.Prefix, a netip.Addr) bool {
	for _, p := range rules {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
