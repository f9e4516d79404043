package redistls_test

import (
	"context"
	"crypto/tls"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx"
)

func TestGoRedisOverTLS(t *testing.T) {
	address, roots := redisServer(t)
	secure := dialx.NewTLS(dialx.NewTimeout(&net.Dialer{}, 5*time.Second), &tls.Config{RootCAs: roots})
	var mu sync.Mutex
	var states []tls.ConnectionState
	rdb := redis.NewClient(&redis.Options{
		Addr: address,
		Dialer: func(ctx context.Context, network, addr string) (net.Conn, error) {
			conn, err := secure.DialContext(ctx, network, addr)
			if err == nil {
				mu.Lock()
				states = append(states, conn.(*tls.Conn).ConnectionState())
				mu.Unlock()
			}
			return conn, err
		},
		DialerRetries: 1,
	})
	defer rdb.Close()

	ctx := context.Background()
	require.NoError(t, rdb.Set(ctx, "greeting", "hello over TLS", 0).Err())
	got, err := rdb.Get(ctx, "greeting").Result()
	require.NoError(t, err)
	assert.Equal(t, "hello over TLS", got)

	mu.Lock()
	defer mu.Unlock()
	require.NotEmpty(t, states)
	for _, state := range states {
		assert.True(t, state.HandshakeComplete)
		assert.NotEmpty(t, state.VerifiedChains, "verified against the test's root, by its IP")
	}
}

// The server speaks only TLS: the same client without NewTLS fails, which
// shows that the test above went through the handshake.
func TestRedisServerRefusesPlainText(t *testing.T) {
	address, _ := redisServer(t)
	rdb := redis.NewClient(&redis.Options{
		Addr:          address,
		Dialer:        dialx.NewTimeout(&net.Dialer{}, 5*time.Second).DialContext,
		DialerRetries: 1,
		MaxRetries:    -1,
		ReadTimeout:   2 * time.Second,
	})
	defer rdb.Close()
	assert.Error(t, rdb.Ping(context.Background()).Err())
}

func TestGoRedisSeesTheCertificateError(t *testing.T) {
	address, _ := redisServer(t)
	untrusting := dialx.NewTLS(&net.Dialer{}, nil) // the system's roots do not hold the test's certificate
	rdb := redis.NewClient(&redis.Options{Addr: address, Dialer: untrusting.DialContext, DialerRetries: 1, MaxRetries: -1})
	defer rdb.Close()
	err := rdb.Ping(context.Background()).Err()
	var verify *tls.CertificateVerificationError
	require.ErrorAs(t, err, &verify)
	assert.ErrorContains(t, err, "dialx: tls tcp "+address)
}
