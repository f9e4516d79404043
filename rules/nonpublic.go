package rules

import (
	"net/netip"
	"slices"
)

// NonPublicPrefixes returns the address blocks that are not globally
// reachable, for refusing them: every block of the IANA IPv4 and IPv6
// Special-Purpose Address Registries (RFC 6890, updated by RFC 8190), IPv4
// multicast (224.0.0.0/4, RFC 5771) and all IPv6 space outside the global
// unicast block 2000::/3, which the IANA IPv6 Address Space Registry keeps
// reserved or for local use (RFC 4291), except the IPv4-mapped block (below).
//
// The blocks cover private and shared space (10.0.0.0/8, 172.16.0.0/12,
// 192.168.0.0/16, 100.64.0.0/10 with Alibaba Cloud's metadata service
// 100.100.100.200, fc00::/7 with AWS's fd00:ec2::254), loopback, link-local
// (169.254.0.0/16 with the cloud metadata address 169.254.169.254,
// fe80::/10), the unspecified and "this network" addresses that reach the
// local host (0.0.0.0/8, ::), documentation and benchmarking blocks,
// multicast, 240.0.0.0/4 with the limited broadcast, and deprecated site-local
// fec0::/10. A few blocks are refused whole although the registries mark
// them, or small blocks inside them, globally reachable: 192.0.0.0/24 (PCP and
// TURN anycast), 2001::/23 (AMT, AS112, ORCHIDv2 and others), and the AS112
// and AMT blocks 192.31.196.0/24, 192.52.193.0/24, 192.175.48.0/24 and
// 2620:4f:8000::/48. These hold anycast services of routers and DNS
// operators that no outgoing connection of an application needs, and common
// guards refuse them too.
//
// IPv6 forms that carry an IPv4 address are refused whole, whatever address
// they carry: IPv4-compatible (::/96), NAT64 (64:ff9b::/96, 64:ff9b:1::/48),
// 6to4 (2002::/16) and Teredo (2001::/32). Which IPv4 host they finally reach
// is decided by a translator or relay outside the check's view. The
// IPv4-mapped block ::ffff:0:0/96 is the exception and is not in the list:
// this package matches an IPv4-mapped address as the IPv4 address it carries,
// so ::ffff:127.0.0.1 is refused by 127.0.0.0/8 and ::ffff:8.8.8.8 is not
// refused (a rule for ::ffff:0:0/96 would be read as 0.0.0.0/0 and refuse
// every IPv4 address). The IETF-reserved ::/8 around it is listed whole: an
// IPv6 block never holds an IPv4 address, neither in the rules of this
// package nor for [netip.Prefix.Contains] given an unmapped address. Code
// that tests addresses against the blocks itself must call
// [netip.Addr.Unmap] first. A host that reaches IPv4
// only through NAT64 needs rules of its own ahead of these: first rules
// refusing the NAT64 forms of the IPv4 blocks (64:ff9b::a00:0/104 for
// 10.0.0.0/8, and so on), then one allowing 64:ff9b::/96.
//
// Not covered: public addresses that are private in intent (an
// organisation's own ranges, the address of the proxy itself, a cloud
// platform's public service address such as Azure's 168.63.129.16), IPv4
// addresses carried inside the interface identifier of a global IPv6 address
// (ISATAP, a NAT64 prefix that a network operator chose), and blocks the
// registries add after RFC 9780 (2025), the newest row here.
//
// IPv4 blocks come as IPv4 prefixes and IPv6 blocks as IPv6 prefixes, sorted,
// IPv4 first; no two overlap, because a block inside a larger one is left
// out. Each call returns a new slice, which the caller may change.
// NonPublicPrefixes is safe for concurrent use by multiple goroutines.
func NonPublicPrefixes() []netip.Prefix {
	return slices.Clone(nonPublicPrefixes)
}

// A nonPublicBlock is one row of the registries, with the registry and the
// RFC it comes from. reachable marks the rows the registry calls globally
// reachable, which are refused on purpose; see [NonPublicPrefixes].
type nonPublicBlock struct {
	prefix    netip.Prefix
	name      string
	registry  string
	rfc       string
	reachable bool
}

const (
	ipv4Special = "IANA IPv4 Special-Purpose Address Registry"
	ipv6Special = "IANA IPv6 Special-Purpose Address Registry"
	ipv4Space   = "IANA IPv4 Address Space Registry"
	ipv6Space   = "IANA IPv6 Address Space Registry"
)

// nonPublicBlocks lists, in address order, every row of the two
// special-purpose registries except the IPv4-mapped one, the multicast row
// of the IPv4 Address Space Registry, the IPv4-compatible block that the
// IPv6 Address Space Registry notes as deprecated, and every row of that
// registry outside 2000::/3.
var nonPublicBlocks = []nonPublicBlock{
	registryRow("0.0.0.0/8", `"This network"`, ipv4Special, "RFC 791, Section 3.2"),
	registryRow("0.0.0.0/32", `"This host on this network"`, ipv4Special, "RFC 1122, Section 3.2.1.3"),
	registryRow("10.0.0.0/8", "Private-Use", ipv4Special, "RFC 1918"),
	registryRow("100.64.0.0/10", "Shared Address Space", ipv4Special, "RFC 6598"),
	registryRow("127.0.0.0/8", "Loopback", ipv4Special, "RFC 1122, Section 3.2.1.3"),
	registryRow("169.254.0.0/16", "Link Local", ipv4Special, "RFC 3927"),
	registryRow("172.16.0.0/12", "Private-Use", ipv4Special, "RFC 1918"),
	registryRow("192.0.0.0/24", "IETF Protocol Assignments", ipv4Special, "RFC 6890, Section 2.1"),
	registryRow("192.0.0.0/29", "IPv4 Service Continuity Prefix", ipv4Special, "RFC 7335"),
	registryRow("192.0.0.8/32", "IPv4 dummy address", ipv4Special, "RFC 7600"),
	reachableRow("192.0.0.9/32", "Port Control Protocol Anycast", ipv4Special, "RFC 7723"),
	reachableRow("192.0.0.10/32", "Traversal Using Relays around NAT Anycast", ipv4Special, "RFC 8155"),
	registryRow("192.0.0.170/32", "NAT64/DNS64 Discovery", ipv4Special, "RFC 8880; RFC 7050, Section 2.2"),
	registryRow("192.0.0.171/32", "NAT64/DNS64 Discovery", ipv4Special, "RFC 8880; RFC 7050, Section 2.2"),
	registryRow("192.0.2.0/24", "Documentation (TEST-NET-1)", ipv4Special, "RFC 5737"),
	reachableRow("192.31.196.0/24", "AS112-v4", ipv4Special, "RFC 7535"),
	reachableRow("192.52.193.0/24", "AMT", ipv4Special, "RFC 7450"),
	registryRow("192.88.99.0/24", "Deprecated (6to4 Relay Anycast)", ipv4Special, "RFC 7526"),
	registryRow("192.88.99.2/32", "6a44-relay anycast address", ipv4Special, "RFC 6751"),
	registryRow("192.168.0.0/16", "Private-Use", ipv4Special, "RFC 1918"),
	reachableRow("192.175.48.0/24", "Direct Delegation AS112 Service", ipv4Special, "RFC 7534"),
	registryRow("198.18.0.0/15", "Benchmarking", ipv4Special, "RFC 2544"),
	registryRow("198.51.100.0/24", "Documentation (TEST-NET-2)", ipv4Special, "RFC 5737"),
	registryRow("203.0.113.0/24", "Documentation (TEST-NET-3)", ipv4Special, "RFC 5737"),
	registryRow("224.0.0.0/4", "Multicast", ipv4Space, "RFC 5771"),
	registryRow("240.0.0.0/4", "Reserved", ipv4Special, "RFC 1112, Section 4"),
	registryRow("255.255.255.255/32", "Limited Broadcast", ipv4Special, "RFC 8190; RFC 919, Section 7"),

	registryRow("::/8", "Reserved by IETF", ipv6Space, "RFC 4291"),
	registryRow("::/96", "IPv4-compatible IPv6 address (deprecated)", ipv6Space, "RFC 4291, Section 2.5.5.1"),
	registryRow("::/128", "Unspecified Address", ipv6Special, "RFC 4291"),
	registryRow("::1/128", "Loopback Address", ipv6Special, "RFC 4291"),
	reachableRow("64:ff9b::/96", "IPv4-IPv6 Translat.", ipv6Special, "RFC 6052"),
	registryRow("64:ff9b:1::/48", "IPv4-IPv6 Translat.", ipv6Special, "RFC 8215"),
	registryRow("100::/8", "Reserved by IETF", ipv6Space, "RFC 4291"),
	registryRow("100::/64", "Discard-Only Address Block", ipv6Special, "RFC 6666"),
	registryRow("100:0:0:1::/64", "Dummy IPv6 Prefix", ipv6Special, "RFC 9780"),
	registryRow("200::/7", "Reserved by IETF (formerly NSAP-mapped)", ipv6Space, "RFC 4048"),
	registryRow("400::/6", "Reserved by IETF", ipv6Space, "RFC 4291"),
	registryRow("800::/5", "Reserved by IETF", ipv6Space, "RFC 4291"),
	registryRow("1000::/4", "Reserved by IETF", ipv6Space, "RFC 4291"),
	registryRow("2001::/23", "IETF Protocol Assignments", ipv6Special, "RFC 2928"),
	registryRow("2001::/32", "TEREDO", ipv6Special, "RFC 4380; RFC 8190"),
	reachableRow("2001:1::1/128", "Port Control Protocol Anycast", ipv6Special, "RFC 7723"),
	reachableRow("2001:1::2/128", "Traversal Using Relays around NAT Anycast", ipv6Special, "RFC 8155"),
	reachableRow("2001:1::3/128", "DNS-SD Service Registration Protocol Anycast", ipv6Special, "RFC 9665"),
	registryRow("2001:2::/48", "Benchmarking", ipv6Special, "RFC 5180"),
	reachableRow("2001:3::/32", "AMT", ipv6Special, "RFC 7450"),
	reachableRow("2001:4:112::/48", "AS112-v6", ipv6Special, "RFC 7535"),
	registryRow("2001:10::/28", "Deprecated (previously ORCHID)", ipv6Special, "RFC 4843"),
	reachableRow("2001:20::/28", "ORCHIDv2", ipv6Special, "RFC 7343"),
	reachableRow("2001:30::/28", "Drone Remote ID Protocol Entity Tags (DETs) Prefix", ipv6Special, "RFC 9374"),
	registryRow("2001:db8::/32", "Documentation", ipv6Special, "RFC 3849"),
	registryRow("2002::/16", "6to4", ipv6Special, "RFC 3056"),
	reachableRow("2620:4f:8000::/48", "Direct Delegation AS112 Service", ipv6Special, "RFC 7534"),
	registryRow("3fff::/20", "Documentation", ipv6Special, "RFC 9637"),
	registryRow("4000::/3", "Reserved by IETF", ipv6Space, "RFC 4291"),
	registryRow("5f00::/16", "Segment Routing (SRv6) SIDs", ipv6Special, "RFC 9602"),
	registryRow("6000::/3", "Reserved by IETF", ipv6Space, "RFC 4291"),
	registryRow("8000::/3", "Reserved by IETF", ipv6Space, "RFC 4291"),
	registryRow("a000::/3", "Reserved by IETF", ipv6Space, "RFC 4291"),
	registryRow("c000::/3", "Reserved by IETF", ipv6Space, "RFC 4291"),
	registryRow("e000::/4", "Reserved by IETF", ipv6Space, "RFC 4291"),
	registryRow("f000::/5", "Reserved by IETF", ipv6Space, "RFC 4291"),
	registryRow("f800::/6", "Reserved by IETF", ipv6Space, "RFC 4291"),
	registryRow("fc00::/7", "Unique-Local", ipv6Special, "RFC 4193; RFC 8190"),
	registryRow("fe00::/9", "Reserved by IETF", ipv6Space, "RFC 4291"),
	registryRow("fe80::/10", "Link-Local Unicast", ipv6Special, "RFC 4291"),
	registryRow("fec0::/10", "Reserved by IETF (formerly Site-Local)", ipv6Space, "RFC 3879"),
	registryRow("ff00::/8", "Multicast", ipv6Space, "RFC 4291"),
}

func registryRow(prefix, name, registry, rfc string) nonPublicBlock {
	return nonPublicBlock{prefix: netip.MustParsePrefix(prefix), name: name, registry: registry, rfc: rfc}
}

// reachableRow is a row that its registry calls globally reachable.
func reachableRow(prefix, name, registry, rfc string) nonPublicBlock {
	b := registryRow(prefix, name, registry, rfc)
	b.reachable = true
	return b
}

// nonPublicPrefixes is what NonPublicPrefixes returns: the blocks that lie
// in no larger one.
var nonPublicPrefixes = outermostPrefixes(nonPublicBlocks)

func outermostPrefixes(blocks []nonPublicBlock) []netip.Prefix {
	var prefixes []netip.Prefix
	for _, b := range blocks {
		inner := slices.ContainsFunc(blocks, func(outer nonPublicBlock) bool {
			return outer.prefix.Bits() < b.prefix.Bits() && outer.prefix.Contains(b.prefix.Addr())
		})
		if !inner {
			prefixes = append(prefixes, b.prefix)
		}
	}
	slices.SortFunc(prefixes, netip.Prefix.Compare)
	return prefixes
}
