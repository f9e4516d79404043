package rules

import "net/netip"

// NonPublicRow is a row of the table behind NonPublicPrefixes, for the tests
// that give every row its source and samples.
type NonPublicRow struct {
	Prefix    netip.Prefix
	Source    string // "registry: name, RFC"
	Reachable bool
}

// NonPublicRows returns the table behind NonPublicPrefixes, in its order.
func NonPublicRows() []NonPublicRow {
	rows := make([]NonPublicRow, len(nonPublicBlocks))
	for i, b := range nonPublicBlocks {
		rows[i] = NonPublicRow{Prefix: b.prefix, Source: b.registry + ": " + b.name + ", " + b.rfc, Reachable: b.reachable}
	}
	return rows
}
