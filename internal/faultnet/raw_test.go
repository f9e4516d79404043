package faultnet_test

import (
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx/internal/faultnet"
)

func TestRefusedServerRefusesAtOnce(t *testing.T) {
	s := faultnet.StartRefused(t)
	c, took, allow, err := timedHandshake(t, s.Addr(), quick)
	require.Nil(t, c)
	assert.ErrorIs(t, err, syscall.ECONNREFUSED)
	assert.Less(t, took, allow, "refused at once (slack %v)", allow)
	assert.Equal(t, 0, s.Accepted())
}

func TestBlackholeHangsEveryConnectUntilTheDeadline(t *testing.T) {
	s := faultnet.StartBlackhole(t)
	for range 3 { // stays full: every attempt hangs
		c, took, allow, err := timedHandshake(t, s.Addr(), 100*time.Millisecond)
		require.Nil(t, c)
		requireTimeout(t, err)
		// The deadline is set before the clock is read, so the measured
		// time can fall a hair short of it.
		assert.GreaterOrEqual(t, took, 80*time.Millisecond)
		assert.Less(t, took, 100*time.Millisecond+allow, "slack %v", allow)
	}
	assert.Equal(t, 0, s.Accepted())
}
