package dialx

// Rule routes the dials whose address matches Pattern through Dialer. A Rule
// is a plain value that [NewSelective] copies, so it may be shared between
// goroutines and reused after the Selective is built.
type Rule struct {
	// Pattern selects addresses: "host", "host:port", "host:min-max",
	// "[ipv6]:port", a CIDR block, "*.domain" or ".domain", in the grammar
	// of package [rules].
	Pattern string
	// Dialer dials the addresses the pattern selects. It must not be nil.
	Dialer Dialer
}
