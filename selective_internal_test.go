package dialx

import (
	"context"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
)

// sliceDialer is a Dialer that == cannot compare.
type sliceDialer struct{ _ []string }

func (sliceDialer) DialContext(context.Context, string, string) (net.Conn, error) { return nil, nil }

func TestSameDialerTellsDialersApartWithoutPanicking(t *testing.T) {
	f := DialerFunc(func(context.Context, string, string) (net.Conn, error) { return nil, nil })
	g := DialerFunc(func(context.Context, string, string) (net.Conn, error) { return nil, nil })
	d1, d2 := &net.Dialer{}, &net.Dialer{}
	for _, tt := range []struct {
		name string
		a, b Dialer
		same bool
	}{
		{"one pointer", d1, d1, true},
		{"two pointers", d1, d2, false},
		{"one closure", f, f, true},
		{"two closures", f, g, false},
		{"different types", f, d1, false},
		{"values == cannot compare", sliceDialer{}, sliceDialer{}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.same, sameDialer(tt.a, tt.b))
		})
	}
}

// TestSelectiveKeepsOneDialerForARunOfRules checks that rules routed to one
// Dialer share its entry, and that each rule still finds its own Dialer.
func TestSelectiveKeepsOneDialerForARunOfRules(t *testing.T) {
	a, b := &net.Dialer{}, &net.Dialer{}
	f := DialerFunc(func(context.Context, string, string) (net.Conn, error) { return nil, nil })
	s, err := NewSelective(
		Rule{Pattern: ".a.example", Dialer: a}, Rule{Pattern: ".b.example", Dialer: a},
		Rule{Pattern: "10.0.0.0/8", Dialer: f}, Rule{Pattern: "10.1.0.0/16", Dialer: f},
		Rule{Pattern: "*", Dialer: b})
	assert.NoError(t, err)
	assert.Len(t, s.dialers, 3)
	for i, want := range []Dialer{a, a, f, f, b} {
		assert.True(t, sameDialer(want, s.dialer(i)), "rule %d", i)
	}
}
