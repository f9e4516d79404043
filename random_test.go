package dialx_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/dialtest"
)

// First picks must be uniform: with 4 dialers and 40,000 dials each expects
// 10,000 first picks. A chi-squared statistic above 21.1 (3 degrees of
// freedom, p = 0.0001) would flag a biased order; a fair one passes
// 9,999 times in 10,000.
func TestRandomFirstPickIsUniform(t *testing.T) {
	const members, dials = 4, 40_000
	ds := make([]*dialtest.Dialer, members)
	list := make([]dialx.Dialer, members)
	for i := range ds {
		ds[i] = &dialtest.Dialer{Label: fmt.Sprint(i)}
		list[i] = ds[i]
	}
	r := dialx.NewRandom(list...)
	for range dials {
		conn, err := r.DialContext(context.Background(), "tcp", "example.com:80")
		require.NoError(t, err)
		conn.Close()
	}
	expected := float64(dials) / members
	var chi2 float64
	for i, d := range ds {
		diff := float64(d.Calls()) - expected
		chi2 += diff * diff / expected
		t.Logf("dialer %d first picks: %d", i, d.Calls())
	}
	assert.Less(t, chi2, 21.1, "first picks are not uniform")
}

// Every order of three dialers (3! = 6) shows up when all fail, each tried
// exactly once per dial.
func TestRandomTriesEachOnceInEveryOrder(t *testing.T) {
	var order []string
	member := func(name string) dialx.Dialer {
		return dialx.DialerFunc(func(context.Context, string, string) (net.Conn, error) {
			order = append(order, name)
			return nil, errors.New(name + " down")
		})
	}
	r := dialx.NewRandom(member("a"), member("b"), member("c"))
	seen := map[string]int{}
	for range 6_000 {
		order = order[:0]
		_, err := r.DialContext(context.Background(), "tcp", "example.com:80")
		require.Error(t, err)
		require.Len(t, order, 3)
		assert.ElementsMatch(t, []string{"a", "b", "c"}, order)
		seen[strings.Join(order, "")]++
		for _, name := range []string{"a", "b", "c"} {
			assert.ErrorContains(t, err, name+" down")
		}
	}
	assert.Len(t, seen, 6, "every permutation should appear: %v", seen)
	for perm, n := range seen {
		assert.Greater(t, n, 700, "permutation %s is rare: %v", perm, seen)
	}
}

func TestRandomStartsNothingOnceContextIsDone(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	d := &dialtest.Dialer{}
	_, err := dialx.NewRandom(d, d).DialContext(ctx, "tcp", "example.com:80")
	assert.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, d.Calls())
}
