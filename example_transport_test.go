package dialx_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/dialx/dialx"
)

// A stack handed to http.Transport: every connection the client opens is
// retried up to three times, and each try is bounded by two seconds.
func Example_httpTransport() {
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "hello over dialx")
	}))
	defer server.Close()

	dialer := dialx.NewRepeat(dialx.NewTimeout(&net.Dialer{}, 2*time.Second), 3)
	transport := &http.Transport{DialContext: dialer.DialContext}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport}

	resp, err := client.Get(server.URL)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.Status, string(body))
	// Output: 200 OK hello over dialx
}
