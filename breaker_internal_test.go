package dialx

import (
	"context"
	"math"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestBreakerCoolDownNeverOverflows(t *testing.T) {
	tests := []struct {
		name      string
		base, max time.Duration
	}{
		{name: "growth past the int64 range", base: time.Hour, max: math.MaxInt64},
		{name: "base at the int64 limit", base: math.MaxInt64, max: math.MaxInt64},
		{name: "just under half the limit", base: math.MaxInt64/2 - 1, max: math.MaxInt64},
	}
	for _, tt := range tests {
		for _, u := range []float64{0, 0.5, 0.999999} {
			b := NewBreaker(DialerFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
				return nil, nil
			}), WithBackoff(ExponentialBackoff{Base: tt.base, Multiplier: 2, Max: tt.max}.WithRand(func() float64 { return u })))
			prev := time.Duration(0)
			for trips := 1; trips <= 200; trips++ {
				cool := b.coolDown(trips)
				if !assert.Greater(t, cool, time.Duration(0), "%s, u=%v, trip %d", tt.name, u, trips) ||
					!assert.GreaterOrEqual(t, cool, prev, "%s, u=%v, trip %d: cool-downs never shrink", tt.name, u, trips) {
					break
				}
				prev = cool
			}
		}
	}
}

func TestBreakerDefaultCoolDownIsTheDocumentedBackoff(t *testing.T) {
	b := NewBreaker(DialerFunc(func(context.Context, string, string) (net.Conn, error) { return nil, nil }))
	assert.Equal(t, ExponentialBackoff{Base: 5 * time.Second, Multiplier: 2, Jitter: 0.2, Max: 2 * time.Minute}, b.cfg.backoff)
}
