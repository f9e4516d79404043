package dialx

import "github.com/dialx/dialx/rules"

// NewListed returns a [Selective] that dials every address a pattern of
// table matches through listed, and every other address through unlisted:
// a whole list, such as one read by [rules.ParseHosts],
// [rules.ParseDomains] or [rules.ParseCIDRs], mapped onto one Dialer, a
// [Reject] for a block list or a VPN for a list of intranet domains. Both
// Dialers receive the canonical address; an address that cannot be read
// fails with [rules.ErrInvalidAddress] and reaches neither.
//
// Its rules are table's, each with listed as its Dialer, then a catch-all
// "*" with unlisted, which [Selective.Match] and the "match" [Event] report
// with index table.Len(); Unwrap returns listed and unlisted. It shares
// table, which never changes, and holds no Dialer per rule: two, however
// long the list. It panics if table, listed or unlisted is nil.
func NewListed(table *rules.Table, listed, unlisted Dialer) *Selective {
	switch {
	case table == nil:
		panic("dialx: NewListed: table must not be nil, got nil")
	case isNilDialer(listed):
		panic("dialx: NewListed: listed must not be nil, got nil")
	case isNilDialer(unlisted):
		panic("dialx: NewListed: unlisted must not be nil, got nil")
	}
	s := &Selective{dialers: []Dialer{listed, unlisted}, table: table, listed: true}
	s.route.AddN(0, table.Len())
	s.route.Add(1) // the catch-all
	s.route.Trim()
	return s
}

// patternOf returns the pattern of rule i of s: "*" for the catch-all of
// NewListed.
func (s *Selective) patternOf(i int) string {
	if s.listed && i == s.table.Len() {
		return "*"
	}
	pattern, _, _ := s.table.Rule(i)
	return pattern
}
