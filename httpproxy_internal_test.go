package dialx

import (
	"context"
	"net"
	"net/url"
	"testing"
)

func TestProxyDialersHonourContextWhenTheirDialerDoes(t *testing.T) {
	ignoresCtx := DialerFunc(func(context.Context, string, string) (net.Conn, error) { return nil, nil })
	for _, tt := range []struct {
		proxy string
		d     Dialer
		want  bool
	}{
		{"http://proxy.internal:3128", &net.Dialer{}, true},
		{"https://proxy.internal", NewTimeout(&net.Dialer{}, 1), true},
		{"socks5h://proxy.internal", &net.Dialer{}, true},
		{"socks5://proxy.internal", &net.Dialer{}, true},
		{"http://proxy.internal:3128", ignoresCtx, false},
		{"socks5h://proxy.internal", ignoresCtx, false},
	} {
		proxy, err := proxyFromURL(tt.d, tt.proxy, &settings{})
		if err != nil {
			t.Fatal(err)
		}
		if got := honoursContext(proxy, nil); got != tt.want {
			t.Errorf("%s over %T: honoursContext = %v, want %v", tt.proxy, tt.d, got, tt.want)
		}
	}
	u, _ := url.Parse("http://proxy.internal:3128")
	if p, _ := NewHTTPProxy(&net.Dialer{}, u); !NewTimeout(p, 1).inline {
		t.Error("a Timeout over an HTTPProxy over a *net.Dialer does not dial inline")
	}
}
