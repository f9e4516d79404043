package dialx

import (
	"net/netip"

	"github.com/dialx/dialx/rules"
)

// happyEyeballsOrder returns the addresses a resolver found in canonical
// form (IPv4-mapped addresses unmapped; a zone only on link-local IPv6
// addresses) and in the order of RFC 8305, section 4: the first as the
// resolver gave it, then alternately the other family and the first's, each
// family in the resolver's order. Addresses that cannot be dialed (invalid,
// or with a zone that is not valid) are left out.
func happyEyeballsOrder(found []netip.Addr) []netip.Addr {
	ips := make([]netip.Addr, 0, len(found))
	for _, ip := range found {
		if !ip.IsValid() {
			continue
		}
		if ip.Zone() != "" {
			// rules.Canonical keeps a zone where dialing needs it and
			// refuses one that is not a valid interface name.
			canonical, err := rules.Canonical(netip.AddrPortFrom(ip, 0).String())
			if err != nil {
				continue
			}
			checked, err := netip.ParseAddrPort(canonical)
			if err != nil {
				continue
			}
			ip = checked.Addr()
		}
		ips = append(ips, ip.Unmap())
	}
	if len(ips) < 3 {
		// Two addresses are in order whatever their families.
		return ips
	}
	ordered := make([]netip.Addr, 0, len(ips))
	var scan [2]int // where to look for the next address of each family
	family := familyOf(ips[0])
	for len(ordered) < len(ips) {
		i := scan[family]
		for i < len(ips) && familyOf(ips[i]) != family {
			i++
		}
		scan[family] = i
		if i < len(ips) {
			ordered = append(ordered, ips[i])
			scan[family] = i + 1
		}
		family = 1 - family
	}
	return ordered
}

// familyOf is 0 for an IPv4 address and 1 for an IPv6 one.
func familyOf(ip netip.Addr) int {
	if ip.Is4() {
		return 0
	}
	return 1
}
