package dialx

// Rule routes the dials whose address matches Pattern through Dialer. A Rule
// is a value that [NewSelective] copies; it may be shared between goroutines.
type Rule struct {
	Pattern string // in the grammar of package rules
	Dialer  Dialer // must not be nil
}
