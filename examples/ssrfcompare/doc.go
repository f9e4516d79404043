// Package ssrfcompare holds only tests: they check rules.NonPublicPrefixes
// against the default deny list of code.dny.dev/ssrf (github.com/daenney/ssrf),
// an independent implementation built from the same IANA registries.
//
// The two refuse the same addresses, with one difference: ssrf refuses every
// IPv4-mapped IPv6 address (::ffff:a.b.c.d) as an address outside 2000::/3,
// while dialx matches it as the IPv4 address it carries.
package ssrfcompare
