package dialx_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx"
)

// A pooled keep-alive connection outlives a Swap until the Tracker cuts it:
// then the transport dials again, through the new upstream.
func TestTrackerMovesAKeepAlivePoolAfterASwap(t *testing.T) {
	server := func(name string) *httptest.Server {
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, name) }))
		t.Cleanup(s.Close)
		return s
	}
	blue, green := server("blue"), server("green")
	swappable := dialx.NewSwappable(&upstream{address: blue.Listener.Addr().String()})
	tracker := dialx.NewTracker(swappable)
	transport := &http.Transport{DialContext: tracker.DialContext}
	t.Cleanup(transport.CloseIdleConnections)
	client := &http.Client{Transport: transport}
	get := func() string {
		t.Helper()
		resp, err := client.Get("http://app.internal/")
		require.NoError(t, err)
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return string(body)
	}

	assert.Equal(t, "blue", get())
	old := swappable.Swap(&upstream{address: green.Listener.Addr().String()})
	assert.Equal(t, "blue", get(), "the pooled connection still goes to the old upstream")
	assert.Equal(t, 1, tracker.CloseVia(old))
	assert.Equal(t, "green", get())
	assert.Equal(t, 1, tracker.OpenTo("app.internal:80"))
}
