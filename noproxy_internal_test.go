package dialx

import (
	"net"
	"net/url"
	"strconv"
	"testing"

	"golang.org/x/net/http/httpproxy"

	"github.com/dialx/dialx/rules"
)

func TestNoProxyPatterns(t *testing.T) {
	tests := []struct {
		noProxy string
		want    []string
	}{
		{"", nil},
		{" , ,", nil},
		{"example.com", []string{".example.com"}},
		{".example.com, *.Example.ORG", []string{"*.example.com", "*.example.org"}},
		{"example.com:8080,.example.org:443", []string{".example.com:8080", "*.example.org:443"}},
		{"10.1.2.3/8, 2001:db8::/32, ::ffff:10.0.0.0/104", []string{"10.0.0.0/8", "2001:db8::/32", "10.0.0.0/8"}},
		{"1.2.3.4,1.2.3.4:80,::1,[::2]:443,::ffff:5.6.7.8", []string{"1.2.3.4", "1.2.3.4:80", "::1", "[::2]:443", "5.6.7.8"}},
		{"example.com:", []string{".example.com"}},
		{"bücher.example", []string{".bücher.example"}},
		{"example.com,*,other.example", []string{"*"}},
		// Entries that match no address rules can read.
		{"*example.com,foo*.example,example.com.,.,127.1,[::1],fe80::1%eth0,:80", nil},
		{"example.com:http,example.com:080,1.2.3.4:99999,10.0.0.0/8:443,a b.example", nil},
	}
	for _, tt := range tests {
		got := noProxyPatterns(tt.noProxy)
		if len(got) != len(tt.want) {
			t.Errorf("noProxyPatterns(%q) = %q, want %q", tt.noProxy, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("noProxyPatterns(%q) = %q, want %q", tt.noProxy, got, tt.want)
				break
			}
		}
	}
}

// FuzzNoProxy states the property that makes ProxyFromEnvironment's rules
// trustworthy: for every address in canonical form, they take the proxy
// httpproxy takes, or none where it takes none, whatever NO_PROXY says.
func FuzzNoProxy(f *testing.F) {
	for _, seed := range []struct {
		noProxy, host string
		port          uint16
	}{
		{"example.com", "www.example.com", 443},
		{".example.com", "example.com", 80},
		{"*.example.com:8443", "a.example.com", 8443},
		{"10.0.0.0/8,192.168.1.1:22", "10.1.2.3", 22},
		{"2001:db8::/32,[::2]:443", "2001:db8::5", 443},
		{"::ffff:10.0.0.0/104", "10.9.9.9", 80},
		{"localhost,bücher.example", "xn--bcher-kva.example", 443},
		{"*", "anything.example", 1},
		{"", "127.0.0.2", 5432},
		{"fe80::1", "fe80::1%eth0", 443},
	} {
		f.Add(seed.noProxy, seed.host, seed.port)
	}
	f.Fuzz(func(t *testing.T, noProxy, host string, port uint16) {
		address := net.JoinHostPort(host, strconv.Itoa(int(port)))
		if canonical, err := rules.Canonical(address); err != nil || canonical != address {
			return
		}
		cfg := httpproxy.Config{HTTPProxy: "http://for-http:1", HTTPSProxy: "http://for-https:2", NoProxy: noProxy}
		env := proxyEnvironment{Config: cfg}
		direct := &net.Dialer{}
		s, err := env.selective(direct, &settings{})
		if err != nil {
			t.Fatalf("NO_PROXY %q: %v", noProxy, err)
		}
		rule, _, err := s.Match(address)
		if err != nil {
			t.Fatalf("NO_PROXY %q, %s: %v", noProxy, address, err)
		}
		got := "direct"
		if p, ok := rule.Dialer.(*HTTPProxy); ok {
			got = p.String()
		}
		scheme := "https"
		if port == 80 {
			scheme = "http"
		}
		want := "direct"
		proxyURL, err := cfg.ProxyFunc()(&url.URL{Scheme: scheme, Host: address})
		if err != nil {
			t.Fatal(err)
		}
		if proxyURL != nil {
			want = proxyURL.String()
		}
		if got != want {
			t.Errorf("NO_PROXY %q, %s: rule %q takes %s, httpproxy %s", noProxy, address, rule.Pattern, got, want)
		}
	})
}
