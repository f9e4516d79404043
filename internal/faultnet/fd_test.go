package faultnet_test

import (
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx/internal/faultnet"
)

func TestFDCountCountsAListener(t *testing.T) {
	before, ok := faultnet.FDCount()
	if !ok {
		t.Skip("no /proc/self/fd on this platform")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	now, _ := faultnet.FDCount()
	assert.Equal(t, before+1, now)
	require.NoError(t, ln.Close())
	now, _ = faultnet.FDCount()
	assert.Equal(t, before, now)
}

func TestCheckFDsCatchesALeak(t *testing.T) {
	if _, ok := faultnet.FDCount(); !ok {
		t.Skip("no /proc/self/fd on this platform")
	}
	// Descriptors of earlier tests may still be closing in the background;
	// one of them closing after the baseline would hide the leak below.
	settleFDs(t)
	ft := &fakeTB{TB: t}
	check := faultnet.CheckFDs(ft)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	check()
	assert.True(t, ft.failed, "a listener left open is reported")
}

// settleFDs waits until the descriptor count holds still for 50ms.
func settleFDs(t *testing.T) {
	t.Helper()
	last, _ := faultnet.FDCount()
	require.Eventually(t, func() bool {
		now, _ := faultnet.FDCount()
		stable := now == last
		last = now
		return stable
	}, 5*time.Second, 50*time.Millisecond)
}

type fakeTB struct {
	testing.TB
	failed bool
}

func (f *fakeTB) Errorf(string, ...any) { f.failed = true }

func (f *fakeTB) Helper() {}
