// Package httpclient shows a dialx stack as the dialer of an [http.Transport]:
// every connection the client opens goes through the stack, which fails over
// between the replicas of a service, retries the list and bounds the dial.
//
// The Transport detaches each dial from the request that caused it: when the
// request is cancelled, the request returns at once but the dial goes on (so
// that a later request can use the connection). Only a deadline inside the
// stack, such as a [dialx.Timeout], bounds how long such a dial runs.
package httpclient

import (
	"context"
	"net"
	"net/http"
	"time"

	"github.com/dialx/dialx"
)

// Replicas returns a Dialer for a service served at each of addrs. A dial
// tries the replicas in order and keeps the first connection
// ([dialx.Consecutive]), goes through the whole list up to twice
// ([dialx.Repeat]), and gives up after timeout ([dialx.Timeout]). The address
// a dial asks for (the host of the request URL) only names the service;
// addrs decide where the connection goes, so no name is ever resolved.
func Replicas(timeout time.Duration, addrs ...string) dialx.Dialer {
	replicas := make([]dialx.Dialer, len(addrs))
	for i, addr := range addrs {
		replicas[i] = fixed(addr)
	}
	return dialx.NewTimeout(dialx.NewRepeat(dialx.NewConsecutive(replicas...), 2), timeout)
}

// fixed returns a Dialer that connects to addr whatever address it is asked for.
func fixed(addr string) dialx.Dialer {
	var d net.Dialer
	return dialx.DialerFunc(func(ctx context.Context, network, _ string) (net.Conn, error) {
		return d.DialContext(ctx, network, addr)
	})
}

// NewTransport returns an [http.Transport] that opens every connection
// through d, uses no proxy, and otherwise keeps the settings of
// [http.DefaultTransport]. Close its idle connections when done with it.
func NewTransport(d dialx.Dialer) *http.Transport {
	return &http.Transport{
		DialContext:           d.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: 1 * time.Second,
	}
}
