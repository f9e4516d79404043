package dialx

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
)

// literalToDial is the address to dial for ip, the canonical form of the IP
// literal in address, which lost any zone on the way: the zone is put back
// for a link-local IPv6 address, the only kind that needs one.
func literalToDial(ip netip.Addr, address string) (netip.Addr, error) {
	host, _, _ := net.SplitHostPort(address) // read once already
	i := strings.LastIndexByte(host, '%')
	if i < 0 || !needsZone(ip) {
		return ip, nil
	}
	zone := host[i+1:]
	if !validZone(zone) {
		return ip, fmt.Errorf("%w: invalid zone %q", ErrInvalidAddress, zone)
	}
	return ip.WithZone(zone), nil
}

// needsZone reports whether ip is an IPv6 address whose scope is one link
// (or one interface), so that dialing it needs the zone that names it.
func needsZone(ip netip.Addr) bool {
	return ip.Is6() && (ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast())
}

// maxZoneLen bounds a zone: interface names are at most 15 bytes on Linux
// and the BSDs, and an index is a short number.
const maxZoneLen = 32

// validZone accepts a zone of letters, digits, '.', '_' and '-', the
// characters of interface names and indexes, so that nothing else reaches
// the Dialer inside an address.
func validZone(zone string) bool {
	if zone == "" || len(zone) > maxZoneLen {
		return false
	}
	for i := 0; i < len(zone); i++ {
		c := zone[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
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
			if !validZone(zone) {
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
