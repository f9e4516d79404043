package dialx

import "net/netip"

// needsZone reports whether ip is an IPv6 address whose scope is one link
// (or one interface), so that dialing it needs the zone that names it.
func needsZone(ip netip.Addr) bool {
	return ip.Is6() && (ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast())
}

// happyEyeballsOrder returns the addresses a resolver found in canonical
// form (IPv4-mapped addresses unmapped; a zone only on link-local IPv6
// addresses, and only a valid one) and in the order of RFC 8305, section 4:
// the first as the resolver gave it, then alternately the other family and
// the first's, each family in the resolver's order. Addresses that cannot
// be dialed (invalid, or link-local with a zone that is not valid) are
// left out.
func happyEyeballsOrder(found []netip.Addr) []netip.Addr {
	ips := make([]netip.Addr, 0, len(found))
	for _, ip := range found {
		if !ip.IsValid() {
			continue
		}
		zone := ip.Zone()
		ip = ip.WithZone("").Unmap()
		if zone != "" && needsZone(ip) {
			if checkZone(zone) != nil {
				continue
			}
			ip = ip.WithZone(zone)
		}
		ips = append(ips, ip)
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
