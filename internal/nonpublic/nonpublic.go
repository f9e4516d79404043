// Package nonpublic is the table of address blocks that are not globally
// reachable, one row per row of the IANA registries with its name and RFC.
// Package rules publishes the blocks (rules.NonPublicPrefixes); the Guard of
// package dialx names, in each refusal, the row that holds the address.
package nonpublic

import (
	"net/netip"
	"slices"
)

// A Block is one row of the registries, with the registry and the RFC it
// comes from.
type Block struct {
	Prefix   netip.Prefix
	Name     string // as the registry names the row
	Registry string
	RFC      string
	// Reachable marks the rows the registry calls globally reachable,
	// which are refused on purpose; see rules.NonPublicPrefixes.
	Reachable bool
}

const (
	ipv4Special = "IANA IPv4 Special-Purpose Address Registry"
	ipv6Special = "IANA IPv6 Special-Purpose Address Registry"
	ipv4Space   = "IANA IPv4 Address Space Registry"
	ipv6Space   = "IANA IPv6 Address Space Registry"
)

// blocks lists, in address order, every row of the two special-purpose
// registries except the IPv4-mapped one, the multicast row of the IPv4
// Address Space Registry, the IPv4-compatible block that the IPv6 Address
// Space Registry notes as deprecated, and every row of that registry outside
// 2000::/3.
var blocks = []Block{
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

func registryRow(prefix, name, registry, rfc string) Block {
	return Block{Prefix: netip.MustParsePrefix(prefix), Name: name, Registry: registry, RFC: rfc}
}

// reachableRow is a row that its registry calls globally reachable.
func reachableRow(prefix, name, registry, rfc string) Block {
	b := registryRow(prefix, name, registry, rfc)
	b.Reachable = true
	return b
}

// Blocks returns every row of the table, in address order, in a new slice.
func Blocks() []Block {
	return slices.Clone(blocks)
}

// prefixes is what Prefixes returns: the blocks that lie in no larger one.
var prefixes = outermost(blocks)

// Prefixes returns the blocks that lie in no larger one, sorted, IPv4
// first, in a new slice; no two of them overlap.
func Prefixes() []netip.Prefix {
	return slices.Clone(prefixes)
}

func outermost(blocks []Block) []netip.Prefix {
	var prefixes []netip.Prefix
	for _, b := range blocks {
		inner := slices.ContainsFunc(blocks, func(outer Block) bool {
			return outer.Prefix.Bits() < b.Prefix.Bits() && outer.Prefix.Contains(b.Prefix.Addr())
		})
		if !inner {
			prefixes = append(prefixes, b.Prefix)
		}
	}
	slices.SortFunc(prefixes, netip.Prefix.Compare)
	return prefixes
}

// Narrowest returns the smallest block that holds addr, judging an
// IPv4-mapped address as the IPv4 address it carries and ignoring a zone;
// ok is false when no block holds it.
func Narrowest(addr netip.Addr) (block Block, ok bool) {
	addr = addr.Unmap().WithZone("")
	for _, b := range blocks {
		if b.Prefix.Contains(addr) && (!ok || b.Prefix.Bits() > block.Prefix.Bits()) {
			block, ok = b, true
		}
	}
	return block, ok
}
