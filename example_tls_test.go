package dialx_test

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/dialx/dialx"
)

// HTTPS through a stack: the Transport's DialTLSContext gets connections
// whose handshake the TLS made over a Timeout and a Repeat. The server is a
// loopback stand-in whose certificate the client is told to trust.
func ExampleNewTLS() {
	server := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, "hello")
	}))
	defer server.Close()
	roots := x509.NewCertPool()
	roots.AddCert(server.Certificate())

	stack := dialx.NewRepeat(dialx.NewTimeout(&net.Dialer{}, 2*time.Second), 3)
	secure := dialx.NewTLS(stack, &tls.Config{RootCAs: roots}) // ServerName: the dialed host
	transport := &http.Transport{DialTLSContext: secure.DialContext}
	defer transport.CloseIdleConnections()

	resp, err := (&http.Client{Transport: transport}).Get(server.URL)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.Status, string(body), "verified:", len(resp.TLS.VerifiedChains) > 0)
	// Output:
	// 200 OK hello verified: true
}
