package proxyinterop_test

import (
	"context"
	"io"
	"log"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	socks5 "github.com/armon/go-socks5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/proxy"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/dialtest"
)

// socksServer is a go-socks5 server on loopback that asks for the
// credentials alice:s3cret and records the names it resolved and the
// destinations it was asked for.
type socksServer struct {
	addr string

	mu       sync.Mutex
	resolved []string // names the server looked up itself
	asked    []string // destinations of CONNECT requests, as the client sent them
}

// Resolve maps every name to 127.0.0.1: the server's name resolution.
func (s *socksServer) Resolve(ctx context.Context, name string) (context.Context, net.IP, error) {
	s.mu.Lock()
	s.resolved = append(s.resolved, name)
	s.mu.Unlock()
	return ctx, net.IPv4(127, 0, 0, 1), nil
}

// Rewrite records the destination the client asked for and leaves it.
func (s *socksServer) Rewrite(ctx context.Context, r *socks5.Request) (context.Context, *socks5.AddrSpec) {
	s.mu.Lock()
	if r.DestAddr.FQDN != "" {
		s.asked = append(s.asked, r.DestAddr.FQDN)
	} else {
		s.asked = append(s.asked, r.DestAddr.IP.String())
	}
	s.mu.Unlock()
	return ctx, r.DestAddr
}

// record returns what the server resolved and was asked for so far.
func (s *socksServer) record() (resolved, asked []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.resolved...), append([]string(nil), s.asked...)
}

func startSocks5(t *testing.T) *socksServer {
	t.Helper()
	s := &socksServer{}
	server, err := socks5.New(&socks5.Config{
		Credentials: socks5.StaticCredentials{"alice": "s3cret"},
		Resolver:    s,
		Rewriter:    s,
		Logger:      log.New(io.Discard, "", 0),
		Dial: func(ctx context.Context, network, address string) (net.Conn, error) {
			return loopbackOnly(ctx, network, address)
		},
	})
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s.addr = ln.Addr().String()
	served := make(chan struct{})
	go func() {
		defer close(served)
		server.Serve(ln)
	}()
	t.Cleanup(func() {
		ln.Close()
		<-served
	})
	return s
}

func TestProxyFromEnvironmentThroughGoSocks5(t *testing.T) {
	echo := dialtest.StartEcho(t)
	target := "echo.test:" + portOf(t, echo.Addr())
	tests := []struct {
		name         string
		allProxy     string
		wantResolved []string // by the server
		wantAsked    string
		wantHere     []string // names resolved by the client
	}{
		{
			name:         "socks5h: the server resolves the name",
			allProxy:     "socks5h://alice:s3cret@",
			wantResolved: []string{"echo.test"},
			wantAsked:    "echo.test",
		},
		{
			name:      "socks5: the client resolves it and sends the address",
			allProxy:  "socks5://alice:s3cret@",
			wantAsked: "127.0.0.1",
			wantHere:  []string{"echo.test"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			server := startSocks5(t)
			setProxyEnvironment(t, map[string]string{"ALL_PROXY": tt.allProxy + server.addr})
			resolver := &recordingResolver{}
			d, err := dialx.ProxyFromEnvironment(&net.Dialer{}, dialx.WithResolver(resolver))
			require.NoError(t, err)
			rule, _, err := d.Match(target)
			require.NoError(t, err)
			assert.Equal(t, "*", rule.Pattern)

			conn, err := d.DialContext(context.Background(), "tcp", target)
			require.NoError(t, err)
			echoes(t, conn, "through go-socks5")
			conn.Close()
			resolved, asked := server.record()
			assert.Equal(t, tt.wantResolved, resolved)
			assert.Equal(t, []string{tt.wantAsked}, asked)
			assert.Equal(t, tt.wantHere, resolver.names())
		})
	}
}

func TestGoSocks5RefusesWrongCredentials(t *testing.T) {
	server := startSocks5(t)
	for _, userinfo := range []string{"", "alice:guess@"} {
		setProxyEnvironment(t, map[string]string{"ALL_PROXY": "socks5h://" + userinfo + server.addr})
		d, err := dialx.ProxyFromEnvironment(&net.Dialer{})
		require.NoError(t, err)
		_, err = d.DialContext(context.Background(), "tcp", "echo.test:1")
		require.Error(t, err, userinfo)
		assert.NotContains(t, err.Error(), "guess")
	}
	resolved, asked := server.record()
	assert.Empty(t, resolved)
	assert.Empty(t, asked, "no request got past authentication")
}

func TestFromProxyOfSOCKS5ThroughGoSocks5(t *testing.T) {
	echo := dialtest.StartEcho(t)
	server := startSocks5(t)
	socks, err := proxy.SOCKS5("tcp", server.addr, &proxy.Auth{User: "alice", Password: "s3cret"},
		dialx.NewRepeat(&net.Dialer{}, 2))
	require.NoError(t, err)
	d := dialx.NewTimeout(dialx.FromProxy(socks), time.Minute)
	conn, err := d.DialContext(context.Background(), "tcp", "echo.test:"+portOf(t, echo.Addr()))
	require.NoError(t, err)
	echoes(t, conn, "through a stack")
	conn.Close()
	resolved, _ := server.record()
	assert.Equal(t, []string{"echo.test"}, resolved, "x/net's SOCKS5 dialer sends names unresolved")
}

// recordingResolver resolves every name to 127.0.0.1 and records it.
type recordingResolver struct {
	mu     sync.Mutex
	looked []string
}

func (r *recordingResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	r.mu.Lock()
	r.looked = append(r.looked, host)
	r.mu.Unlock()
	return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
}

func (r *recordingResolver) names() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.looked...)
}
