package faultnet_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx/internal/faultnet"
)

func TestHandshakeReturnsWhenCtxIsCancelled(t *testing.T) {
	s := faultnet.StartSilent(t)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	c, err := faultnet.Handshake{}.DialContext(ctx, "tcp", s.Addr())
	require.Nil(t, c)
	assert.ErrorIs(t, err, context.Canceled)
	require.NoError(t, s.WaitIdle(patience()))
}
