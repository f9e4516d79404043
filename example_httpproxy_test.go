package dialx_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"

	"github.com/dialx/dialx"
)

// pipeProxy is a stand-in for an HTTP proxy on the network: each dial gets
// one end of an in-memory pipe whose other end reads the CONNECT request
// and answers with status, then, on a tunnel, says hello as the
// destination would.
func pipeProxy(status int) dialx.DialerFunc {
	return func(_ context.Context, network, address string) (net.Conn, error) {
		client, proxy := net.Pipe()
		go func() {
			defer proxy.Close()
			request, err := http.ReadRequest(bufio.NewReader(proxy))
			if err != nil {
				return
			}
			fmt.Fprintf(proxy, "HTTP/1.1 %d %s\r\n\r\n", status, http.StatusText(status))
			if status == http.StatusOK {
				fmt.Fprintf(proxy, "hello from %s\n", request.Host)
			}
		}()
		return client, nil
	}
}

func ExampleNewHTTPProxy() {
	proxyURL, _ := url.Parse("http://alice:s3cret@proxy.internal:3128")
	d, err := dialx.NewHTTPProxy(pipeProxy(http.StatusOK), proxyURL)
	if err != nil {
		fmt.Println(err)
		return
	}
	conn, err := d.DialContext(context.Background(), "tcp", "db.internal:5432")
	if err != nil {
		fmt.Println(err)
		return
	}
	greeting, _ := bufio.NewReader(conn).ReadString('\n')
	fmt.Print(greeting)
	conn.Close()

	// A proxy that wants other credentials answers 407.
	d, _ = dialx.NewHTTPProxy(pipeProxy(http.StatusProxyAuthRequired), proxyURL)
	_, err = d.DialContext(context.Background(), "tcp", "db.internal:5432")
	fmt.Println(err)
	var proxyErr *dialx.ProxyError
	if errors.As(err, &proxyErr) && proxyErr.StatusCode == http.StatusProxyAuthRequired {
		fmt.Println("credentials refused by", proxyErr.Proxy)
	}
	// Output:
	// hello from db.internal:5432
	// dialx: httpproxy tcp db.internal:5432: proxy http://proxy.internal:3128 answered 407 Proxy Authentication Required
	// credentials refused by http://proxy.internal:3128
}

func ExampleProxyFromEnvironment() {
	// As if the program ran with HTTPS_PROXY=http://proxy.internal:3128
	// and NO_PROXY=.corp.example,10.0.0.0/8, no other proxy variable set.
	defer exampleEnvironment("http://proxy.internal:3128", ".corp.example,10.0.0.0/8")()

	d, err := dialx.ProxyFromEnvironment(&net.Dialer{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, address := range []string{"api.example.com:443", "db.corp.example:5432", "10.1.2.3:6379", "example.com:80"} {
		rule, _, _ := d.Match(address)
		through := "directly"
		if proxy, ok := rule.Dialer.(fmt.Stringer); ok {
			through = "through " + proxy.String()
		}
		fmt.Printf("%-20s %-15s %s\n", address, rule.Pattern, through)
	}
	// Output:
	// api.example.com:443  *               through http://proxy.internal:3128
	// db.corp.example:5432 *.corp.example  directly
	// 10.1.2.3:6379        10.0.0.0/8      directly
	// example.com:80       *:80            directly
}

// exampleEnvironment sets HTTPS_PROXY and NO_PROXY, and every other proxy
// variable empty, which counts as unset; it returns what restores them.
func exampleEnvironment(httpsProxy, noProxy string) (restore func()) {
	values := map[string]string{"HTTPS_PROXY": httpsProxy, "NO_PROXY": noProxy}
	var undo []func()
	for _, name := range proxyVariables {
		old, had := os.LookupEnv(name)
		os.Setenv(name, values[name])
		undo = append(undo, func() {
			if had {
				os.Setenv(name, old)
			} else {
				os.Unsetenv(name)
			}
		})
	}
	return func() {
		for _, f := range undo {
			f()
		}
	}
}
