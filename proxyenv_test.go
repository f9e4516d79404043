package dialx_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/http/httpproxy"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/dialtest"
	"github.com/dialx/dialx/internal/socks5test"
)

// proxyVariables are the variables ProxyFromEnvironment and httpproxy read.
var proxyVariables = []string{"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY",
	"all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY", "REQUEST_METHOD"}

// setProxyEnvironment sets the proxy variables for the test: those of env,
// every other one empty, which both readers take as unset.
func setProxyEnvironment(t *testing.T, env map[string]string) {
	t.Helper()
	for _, name := range proxyVariables {
		t.Setenv(name, env[name])
	}
	for name := range env {
		require.Contains(t, proxyVariables, name)
	}
}

// httpproxyDecision is what golang.org/x/net/http/httpproxy decides, for
// the environment set, about a dial to address, read as ProxyFromEnvironment
// documents it: port 80 is an http URL, every other an https one, and
// ALL_PROXY stands for a scheme's unset variable. It is "direct", "refused"
// or the proxy's URL without credentials.
func httpproxyDecision(t *testing.T, address string) string {
	t.Helper()
	cfg := httpproxy.FromEnvironment()
	all := cmpOr(os.Getenv("all_proxy"), os.Getenv("ALL_PROXY"))
	if cfg.HTTPProxy == "" && all != "" {
		// A CGI request's Proxy header sets HTTP_PROXY, not ALL_PROXY,
		// so the CGI refusal is HTTP_PROXY's only.
		cfg.HTTPProxy, cfg.CGI = all, false
	}
	cfg.HTTPSProxy = cmpOr(cfg.HTTPSProxy, all)
	_, port, err := net.SplitHostPort(address)
	require.NoError(t, err)
	scheme := "https"
	if port == "80" {
		scheme = "http"
	}
	proxyURL, err := cfg.ProxyFunc()(&url.URL{Scheme: scheme, Host: address})
	switch {
	case err != nil:
		return "refused"
	case proxyURL == nil:
		return "direct"
	}
	port = proxyURL.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443", "socks5": "1080", "socks5h": "1080"}[proxyURL.Scheme]
	}
	return proxyURL.Scheme + "://" + net.JoinHostPort(proxyURL.Hostname(), port)
}

func cmpOr(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// decision is what s decides about a dial to address, in the terms of
// httpproxyDecision.
func decision(t *testing.T, s *dialx.Selective, direct dialx.Dialer, address string) string {
	t.Helper()
	rule, _, err := s.Match(address)
	require.NoError(t, err, address)
	switch d := rule.Dialer.(type) {
	case *dialx.Reject:
		return "refused"
	case fmt.Stringer:
		return d.String()
	}
	require.Equal(t, direct, rule.Dialer, "rule %q", rule.Pattern)
	return "direct"
}

func TestProxyFromEnvironmentDecidesAsHTTPProxy(t *testing.T) {
	environments := []map[string]string{
		{},
		{"HTTPS_PROXY": "http://proxy.internal:3128"},
		{"HTTP_PROXY": "proxy.internal:3128", "HTTPS_PROXY": "https://u:p@secure.internal"},
		{"http_proxy": "http://lower:1", "HTTP_PROXY": "http://upper:2", "HTTPS_PROXY": "http://upper:3",
			"https_proxy": ""},
		{"HTTP_PROXY": "http://proxy.internal:3128", "HTTPS_PROXY": "http://proxy.internal:3128",
			"NO_PROXY": "example.com, .internal.example,*.wild.example, 10.0.0.0/8 ,192.168.1.1," +
				"[2001:db8::1]:443,::2,db.example:5432,172.16.0.1:80,Upper.Example,bücher.example,::ffff:10.9.0.0/112"},
		{"HTTPS_PROXY": "http://proxy.internal:3128", "no_proxy": "example.com", "NO_PROXY": "*"},
		{"HTTPS_PROXY": "http://proxy.internal:3128", "NO_PROXY": "*"},
		{"HTTPS_PROXY": "http://proxy.internal:3128", "NO_PROXY": "*example.com,foo*.wild.example,10.0.0.0/8:443," +
			"db.example:05432,example.com.,1.2.3.4:http,:80,127.1,[::1],fe80::1%eth0"},
		{"HTTP_PROXY": "http://proxy.internal:3128", "REQUEST_METHOD": "GET", "NO_PROXY": "example.com"},
		{"REQUEST_METHOD": "GET", "HTTPS_PROXY": "http://proxy.internal:3128"},
		{"REQUEST_METHOD": "GET", "http_proxy": "http://proxy.internal:3128"},
		{"REQUEST_METHOD": "GET", "ALL_PROXY": "http://all.internal:8080"},
		{"HTTP_PROXY": "http://proxy.internal:3128"},
		{"ALL_PROXY": "http://all.internal:8080"},
		{"all_proxy": "socks5h://all.internal", "HTTPS_PROXY": "http://proxy.internal:3128", "NO_PROXY": ".internal.example"},
		{"HTTPS_PROXY": "socks5://u:p@socks.internal:1081", "HTTP_PROXY": "socks5h://socks.internal"},
	}
	destinations := []string{
		"example.com:443", "example.com:80", "www.example.com:443", "db.internal.example:5432",
		"internal.example:443", "a.wild.example:443", "wild.example:443", "foo1.wild.example:443",
		"myexample.com:443", "10.1.2.3:443", "10.1.2.3:80", "10.9.1.1:443", "10.10.1.1:443", "192.168.1.1:22",
		"[2001:db8::1]:443", "[2001:db8::1]:80", "[::2]:8443", "db.example:5432", "db.example:5433",
		"172.16.0.1:80", "172.16.0.1:443", "upper.example:443", "xn--bcher-kva.example:443",
		"localhost:8080", "127.0.0.1:443", "127.9.9.9:80", "[::1]:443", "[::ffff:127.0.0.1]:443",
		"other.test:8080", "1.2.3.4:80", "[fe80::1]:443",
	}
	direct := &net.Dialer{}
	for i, env := range environments {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			setProxyEnvironment(t, env)
			s, err := dialx.ProxyFromEnvironment(direct)
			require.NoError(t, err)
			for _, address := range destinations {
				assert.Equal(t, httpproxyDecision(t, address), decision(t, s, direct, address),
					"%s with %v", address, env)
			}
		})
	}
}

// Where a variable is set in both cases, the lower case one is read, as
// httpproxy reads them; ALL_PROXY too, as curl reads it.
func TestProxyFromEnvironmentReadsLowerCaseFirst(t *testing.T) {
	setProxyEnvironment(t, map[string]string{
		"http_proxy": "http://lower-http:1", "HTTP_PROXY": "http://upper-http:1",
		"all_proxy": "http://lower-all:1", "ALL_PROXY": "http://upper-all:1",
		"no_proxy": "lower.example", "NO_PROXY": "upper.example",
	})
	direct := &net.Dialer{}
	s, err := dialx.ProxyFromEnvironment(direct)
	require.NoError(t, err)
	for address, want := range map[string]string{
		"example.com:80":    "http://lower-http:1",
		"example.com:443":   "http://lower-all:1",
		"lower.example:443": "direct",
		"upper.example:443": "http://lower-all:1",
	} {
		assert.Equal(t, want, decision(t, s, direct, address), address)
	}
}

func TestProxyFromEnvironmentRules(t *testing.T) {
	setProxyEnvironment(t, map[string]string{
		"HTTPS_PROXY": "http://u:p@proxy.internal:3128", "NO_PROXY": ".corp.example, 10.0.0.0/8, bad*entry"})
	direct := &net.Dialer{}
	s, err := dialx.ProxyFromEnvironment(direct)
	require.NoError(t, err)
	// One address for each rule, in order, and where the rule sends it.
	tests := []struct{ address, pattern, through string }{
		{"localhost:1", "localhost", "direct"},
		{"127.0.0.1:1", "127.0.0.0/8", "direct"},
		{"[::1]:1", "::1", "direct"},
		{"x.corp.example:1", "*.corp.example", "direct"},
		{"10.0.0.1:1", "10.0.0.0/8", "direct"},
		{"example.com:80", "*:80", "direct"},
		{"example.com:443", "*", "http://proxy.internal:3128"}, // without credentials
	}
	for i, tt := range tests {
		rule, n, err := s.Match(tt.address)
		require.NoError(t, err)
		assert.Equal(t, i, n, tt.address)
		assert.Equal(t, tt.pattern, rule.Pattern, tt.address)
		assert.Equal(t, tt.through, decision(t, s, direct, tt.address), tt.address)
	}
}

func TestProxyFromEnvironmentRefusesAProxyURLItCannotUse(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"HTTPS_PROXY": "ftp://u:secret@proxy.internal"},
			`dialx: ProxyFromEnvironment: HTTPS_PROXY: proxy ftp://proxy.internal: scheme must be http, https, socks5 or socks5h, got "ftp"`},
		{map[string]string{"http_proxy": "http://u:secret@proxy.internal:http"},
			`dialx: ProxyFromEnvironment: HTTP_PROXY: not a proxy URL: invalid port after host`},
		// A '/' ends the authority: the password's end would be the port.
		{map[string]string{"HTTPS_PROXY": "http://u:sec/secret@proxy.internal:3128"},
			`dialx: ProxyFromEnvironment: HTTPS_PROXY: not a proxy URL: invalid port after host`},
		{map[string]string{"HTTPS_PROXY": "http://u:s%zzsecret@proxy.internal:3128"},
			`dialx: ProxyFromEnvironment: HTTPS_PROXY: not a proxy URL: invalid URL escape`},
		{map[string]string{"HTTPS_PROXY": "http://u:secret@bad host.internal:3128"},
			`dialx: ProxyFromEnvironment: HTTPS_PROXY: not a proxy URL: invalid character in host name`},
		{map[string]string{"all_proxy": "socks5://u:secret@proxy.internal:99999"}, ""},
	}
	for _, tt := range tests {
		setProxyEnvironment(t, tt.env)
		_, err := dialx.ProxyFromEnvironment(&net.Dialer{})
		require.Error(t, err)
		if tt.want != "" {
			assert.EqualError(t, err, tt.want)
		}
		assert.NotContains(t, err.Error(), "secret")
		assert.NotContains(t, err.Error(), "sec")
		assert.NotContains(t, err.Error(), "zz")
	}
}

func TestProxyFromEnvironmentPanics(t *testing.T) {
	assert.PanicsWithValue(t, "dialx: ProxyFromEnvironment: d must not be nil, got nil",
		func() { dialx.ProxyFromEnvironment(nil) })
	assert.PanicsWithValue(t, "dialx: ProxyFromEnvironment: WithBudget applies to neither an HTTPProxy nor a Resolve",
		func() { dialx.ProxyFromEnvironment(&net.Dialer{}, dialx.WithBudget(dialx.NewBudget(1, 1, 1))) })
}

func TestProxyFromEnvironmentDialsThroughAnHTTPProxy(t *testing.T) {
	fake := startFakeProxy(t, answerThenEcho("HTTP/1.1 200 OK\r\n\r\n"))
	setProxyEnvironment(t, map[string]string{"HTTPS_PROXY": "http://" + fake.addr, "NO_PROXY": "direct.test"})
	echo := dialtest.StartEcho(t)
	var directDials []string
	direct := dialx.DialerFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
		directDials = append(directDials, address)
		return (&net.Dialer{}).DialContext(ctx, network, address)
	})
	s, err := dialx.ProxyFromEnvironment(direct)
	require.NoError(t, err)

	conn, err := s.DialContext(context.Background(), "tcp", "db.test:5432")
	require.NoError(t, err)
	echoes(t, conn, "through the proxy")
	conn.Close()
	assert.Equal(t, "db.test:5432", (<-fake.requests).Host)

	conn, err = s.DialContext(context.Background(), "tcp", echo.Addr())
	require.NoError(t, err, "loopback is dialed directly")
	echoes(t, conn, "direct")
	conn.Close()
	assert.Equal(t, []string{fake.addr, echo.Addr()}, directDials, "the proxy is reached through d")
}

func TestProxyFromEnvironmentPassesItsOptionsOn(t *testing.T) {
	server := startTLSProxy(t)
	roots := x509.NewCertPool()
	roots.AddCert(server.Certificate())
	setProxyEnvironment(t, map[string]string{"HTTPS_PROXY": server.URL})
	s, err := dialx.ProxyFromEnvironment(&net.Dialer{}, dialx.WithProxyTLS(&tls.Config{RootCAs: roots}))
	require.NoError(t, err)
	conn, err := s.DialContext(context.Background(), "tcp", "db.test:5432")
	require.NoError(t, err)
	echoes(t, conn, "through an https:// proxy")
	conn.Close()
}

// recordingResolver resolves every name to one address and records the names.
type recordingResolver struct {
	addr  netip.Addr
	names chan string
}

func (r recordingResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	r.names <- host
	return []netip.Addr{r.addr}, nil
}

func TestProxyFromEnvironmentDialsThroughSOCKS5(t *testing.T) {
	server := socks5test.Start(t)
	echo := dialtest.StartEcho(t)
	_, echoPort, _ := net.SplitHostPort(echo.Addr())

	// socks5:// resolves the name here and hands the proxy the address.
	setProxyEnvironment(t, map[string]string{"ALL_PROXY": "socks5://" + server.Addr()})
	resolver := recordingResolver{addr: netip.MustParseAddr("127.0.0.1"), names: make(chan string, 1)}
	s, err := dialx.ProxyFromEnvironment(&net.Dialer{}, dialx.WithResolver(resolver))
	require.NoError(t, err)
	conn, err := s.DialContext(context.Background(), "tcp", net.JoinHostPort("echo.test", echoPort))
	require.NoError(t, err)
	echoes(t, conn, "through SOCKS5")
	conn.Close()
	assert.Equal(t, "echo.test", <-resolver.names)
	assert.Equal(t, 1, server.Connects())

	// socks5h:// hands the proxy the name, which this server refuses.
	setProxyEnvironment(t, map[string]string{"ALL_PROXY": "socks5h://" + server.Addr()})
	s, err = dialx.ProxyFromEnvironment(&net.Dialer{}, dialx.WithResolver(resolver))
	require.NoError(t, err)
	_, err = s.DialContext(context.Background(), "tcp", net.JoinHostPort("echo.test", echoPort))
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), "not allowed"), "%v", err)
	assert.Equal(t, 1, server.Refusals())
	assert.Empty(t, resolver.names, "the name was not resolved here")
}
