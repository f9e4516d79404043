package rules

import (
	"net/netip"

	"github.com/dialx/dialx/internal/nonpublic"
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
	return nonpublic.Prefixes()
}
