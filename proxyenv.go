package dialx

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"

	"golang.org/x/net/http/httpproxy"
	"golang.org/x/net/proxy"
)

// ProxyFromEnvironment returns a [Selective] that dials as the environment
// asks: through the proxies of HTTP_PROXY, HTTPS_PROXY and ALL_PROXY,
// directly (through d) the destinations NO_PROXY exempts and those no
// proxy applies to. It reads them as golang.org/x/net/http/httpproxy does,
// lower case before upper case (net/http's own copy of httpproxy, in Go
// 1.26, reads upper case first, so where both cases are set and differ the
// two choose differently), and with the same NO_PROXY dialect: "*", IP
// addresses and blocks, names that match themselves and the names below
// them, ".name" and "*.name" for those below only, each optionally with
// ":port". Like httpproxy it never proxies localhost and the loopback
// addresses.
//
// A dial carries no URL scheme, so the port stands for it: port 80 is http
// and takes HTTP_PROXY, every other port is https and takes HTTPS_PROXY,
// as gRPC takes HTTPS_PROXY for every connection. Where the scheme's own
// variable is unset, ALL_PROXY applies, as in curl. A proxy URL is http:// or
// https:// for an [HTTPProxy] (a scheme-less "host:port" is http://),
// socks5h:// for a SOCKS5 proxy that resolves names itself, or socks5:// for
// one that is handed IP addresses, names being resolved here by a
// [Resolve]; its userinfo holds the credentials. A dial through HTTP_PROXY
// is a CONNECT tunnel too, which many proxies allow to port 443 only: a
// [net/http.Transport] with its Proxy field sends plain HTTP through a proxy.
//
// It departs from httpproxy only to fail loudly: a proxy URL it cannot use,
// which httpproxy ignores (dials then go direct), is an error naming the
// variable, and a value with a scheme is never read again as a host. In a
// CGI program (REQUEST_METHOD set) dials to port 80 are refused while
// HTTP_PROXY is set, as httpproxy refuses HTTP requests there, where a
// request's Proxy header sets it. Names are compared in canonical form
// ([rules.Canonical]), so "LOCALHOST" and "example.com." are localhost and
// example.com.
//
// The Selective's rules are, in order: the CGI refusal; localhost,
// 127.0.0.0/8 and ::1, then each NO_PROXY entry, to d; "*:80" to the http
// proxy and "*" to the https one, or to d where there is none. [Selective.Match]
// tells which a dial takes; an HTTPProxy prints as its URL. It takes the
// options of [NewHTTPProxy] and of [NewResolve], which apply to the
// proxies that use them. It panics if d is nil or an option applies to
// neither.
func ProxyFromEnvironment(d Dialer, opts ...Option) (*Selective, error) {
	mustDialer("ProxyFromEnvironment", d)
	s := settings{stagger: defaultAttemptDelay}
	for _, opt := range opts {
		if opt != nil && opt.option().to&(takenByHTTPProxy|takenByResolve) == 0 {
			panic(fmt.Sprintf("dialx: ProxyFromEnvironment: %s applies to neither an HTTPProxy nor a Resolve",
				opt.option().name))
		}
	}
	s.apply("ProxyFromEnvironment", takenByHTTPProxy|takenByResolve, opts)
	env := proxyEnvironment{Config: *httpproxy.FromEnvironment(), allProxy: getenvAny("all_proxy", "ALL_PROXY")}
	return env.selective(d, &s)
}

// proxyEnvironment is what ProxyFromEnvironment reads from the
// environment: httpproxy's Config, and ALL_PROXY, which it does not read.
type proxyEnvironment struct {
	httpproxy.Config
	allProxy string
}

// getenvAny is the first of names set to a non-empty value, as httpproxy
// reads its variables.
func getenvAny(names ...string) string {
	for _, name := range names {
		if value := os.Getenv(name); value != "" {
			return value
		}
	}
	return ""
}

// selective builds the Selective of ProxyFromEnvironment.
func (env *proxyEnvironment) selective(d Dialer, s *settings) (*Selective, error) {
	built := map[string]Dialer{} // one Dialer per proxy, so Match shows it twice as one
	proxyFor := func(variable, value string) (Dialer, error) {
		if value == "" {
			return nil, nil
		}
		if proxy, ok := built[value]; ok {
			return proxy, nil
		}
		proxy, err := proxyFromURL(d, value, s)
		if err != nil {
			return nil, fmt.Errorf("dialx: ProxyFromEnvironment: %s: %w", variable, err)
		}
		built[value] = proxy
		return proxy, nil
	}
	all, err := proxyFor("ALL_PROXY", env.allProxy)
	if err != nil {
		return nil, err
	}
	forHTTP, err := proxyFor("HTTP_PROXY", env.HTTPProxy)
	if err != nil {
		return nil, err
	}
	forHTTPS, err := proxyFor("HTTPS_PROXY", env.HTTPSProxy)
	if err != nil {
		return nil, err
	}
	var rules []Rule
	if env.CGI && forHTTP != nil {
		rules = append(rules, Rule{Pattern: "*:80", Dialer: NewReject(errCGIProxy)})
	}
	for _, pattern := range append(alwaysDirect, noProxyPatterns(env.NoProxy)...) {
		rules = append(rules, Rule{Pattern: pattern, Dialer: d})
	}
	rules = append(rules,
		Rule{Pattern: "*:80", Dialer: firstDialer(forHTTP, all, d)},
		Rule{Pattern: "*", Dialer: firstDialer(forHTTPS, all, d)})
	return NewSelective(rules...)
}

// errCGIProxy is the reason of the dials to port 80 that a CGI program
// refuses while HTTP_PROXY is set.
var errCGIProxy = errors.New("refusing to use HTTP_PROXY in a CGI program, where a request's Proxy header sets it")

// firstDialer is the first of ds that is not nil.
func firstDialer(ds ...Dialer) Dialer {
	for _, d := range ds {
		if d != nil {
			return d
		}
	}
	return nil
}

// proxyFromURL is the Dialer through the proxy of a variable's value,
// which reaches the proxy through d.
func proxyFromURL(d Dialer, value string, s *settings) (Dialer, error) {
	proxyURL, err := url.Parse(value)
	if !strings.Contains(value, "://") && (err != nil || proxyURL.Scheme == "" || proxyURL.Host == "") {
		// As httpproxy does, a "host:port" is an http:// proxy; unlike it,
		// a URL with a scheme is never read again as a host.
		if withScheme, err := url.Parse("http://" + value); err == nil {
			proxyURL = withScheme
		}
	}
	if proxyURL == nil {
		// Not err itself, whose message quotes the value, credentials and
		// all, nor its cause's quotes: a '/' or '#' in a password ends the
		// URL's authority, and the rest of the password is then a "port".
		var bad *url.Error
		errors.As(err, &bad)
		return nil, errors.New("not a proxy URL: " + withoutQuotes(bad.Err.Error()))
	}
	switch proxyURL.Scheme {
	case "http", "https":
		return newHTTPProxy(d, proxyURL, s)
	case "socks5", "socks5h":
		return newSocksProxy(d, proxyURL, s)
	}
	return nil, fmt.Errorf("proxy %s: scheme must be http, https, socks5 or socks5h, got %q",
		withoutUserinfo(proxyURL), proxyURL.Scheme)
}

// withoutQuotes is message without the quoted parts, and the space
// before each: `invalid port ":x" after host` is "invalid port after host".
func withoutQuotes(message string) string {
	var b strings.Builder
	for {
		before, after, ok := strings.Cut(message, ` "`)
		b.WriteString(before)
		if !ok {
			return b.String()
		}
		_, message, ok = strings.Cut(after, `"`)
		if !ok {
			return b.String()
		}
	}
}

// newSocksProxy is the Dialer through the SOCKS5 proxy at proxyURL, which
// resolves names itself for socks5h://, and gets them resolved by a
// Resolve for socks5://.
func newSocksProxy(d Dialer, proxyURL *url.URL, s *settings) (Dialer, error) {
	address, _, err := proxyAddress(proxyURL)
	if err != nil {
		return nil, err
	}
	var auth *proxy.Auth
	if proxyURL.User != nil {
		auth = &proxy.Auth{User: proxyURL.User.Username()}
		auth.Password, _ = proxyURL.User.Password()
	}
	socks, err := proxy.SOCKS5("tcp", address, auth, forward{d})
	if err != nil {
		return nil, fmt.Errorf("proxy %s: %w", withoutUserinfo(proxyURL), err)
	}
	through := FromProxy(socks)
	if proxyURL.Scheme == "socks5" {
		through = newResolve(through, s)
	}
	// x/net's SOCKS5 dialer honours ctx itself, and dials the proxy
	// through d, which may not.
	honours := honoursContext(d, nil)
	return &socksProxy{dialer: through, proxy: proxyURL.Scheme + "://" + address, honours: honours}, nil
}

// socksProxy is a Dialer through a SOCKS5 proxy that prints as the proxy's
// URL without credentials, as an HTTPProxy does, for [Selective.Match].
type socksProxy struct {
	dialer  Dialer
	proxy   string
	honours bool // whether the Dialer it reaches the proxy through honours ctx
}

func (p *socksProxy) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	conn, err := dialInner(ctx, p.dialer, network, address)
	return passOn("socks5", network, address, conn, err)
}

func (p *socksProxy) String() string       { return p.proxy }
func (p *socksProxy) Unwrap() []Dialer     { return one(&p.dialer) }
func (p *socksProxy) HonoursContext() bool { return p.honours }

// forward is a Dialer with the Dial method that x/net/proxy asks of the
// Dialer a SOCKS5 dialer reaches its proxy through; it dials with
// DialContext all the same.
type forward struct{ Dialer }

func (f forward) Dial(network, address string) (net.Conn, error) {
	return f.DialContext(context.Background(), network, address)
}
