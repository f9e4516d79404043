package pgxendpoint_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx"
)

// replica listens on loopback and answers the startup message of each
// client with a fatal ErrorResponse that names it, so that the client can
// tell which replica it reached; it sends each startup message it read on
// startups.
type replica struct {
	name     string
	listener net.Listener
	startups chan []byte
	done     chan struct{}
}

func startReplica(t *testing.T, name string) *replica {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	r := &replica{name: name, listener: ln, startups: make(chan []byte, 1), done: make(chan struct{})}
	go r.serve()
	t.Cleanup(func() {
		ln.Close()
		<-r.done
	})
	return r
}

func (r *replica) serve() {
	defer close(r.done)
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		conn, err := r.listener.Accept()
		if err != nil {
			return
		}
		wg.Go(func() {
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(5 * time.Second))
			var length uint32
			if binary.Read(conn, binary.BigEndian, &length) != nil || length < 8 || length > 1<<16 {
				return
			}
			body := make([]byte, length-4)
			if _, err := io.ReadFull(conn, body); err != nil {
				return
			}
			select {
			case r.startups <- body:
			default:
			}
			conn.Write(errorResponse("replica " + r.name + " answers"))
		})
	}
}

// errorResponse is a PostgreSQL ErrorResponse message of severity FATAL.
func errorResponse(message string) []byte {
	var fields bytes.Buffer
	for _, f := range []struct {
		code  byte
		value string
	}{{'S', "FATAL"}, {'V', "FATAL"}, {'C', "28000"}, {'M', message}} {
		fields.WriteByte(f.code)
		fields.WriteString(f.value)
		fields.WriteByte(0)
	}
	fields.WriteByte(0)
	msg := []byte{'E', 0, 0, 0, 0}
	binary.BigEndian.PutUint32(msg[1:], uint32(4+fields.Len()))
	return append(msg, fields.Bytes()...)
}

// closedAddress is a loopback address where nothing listens: a replica
// that is down.
func closedAddress(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	address := ln.Addr().String()
	require.NoError(t, ln.Close())
	return address
}

func TestPgxFailsOverToTheSecondReplica(t *testing.T) {
	second := startReplica(t, "two")
	d := &net.Dialer{}
	failover := dialx.NewConsecutive(dialx.NewEndpoint(d, closedAddress(t)), dialx.NewEndpoint(d, second.listener.Addr().String()))

	cfg, err := pgx.ParseConfig("postgres://app@db.internal:5432/app?sslmode=disable&connect_timeout=5")
	require.NoError(t, err)
	var asked []string
	cfg.DialFunc = func(ctx context.Context, network, address string) (net.Conn, error) {
		asked = append(asked, address)
		return failover.DialContext(ctx, network, address)
	}
	cfg.LookupFunc = func(_ context.Context, host string) ([]string, error) {
		return []string{host}, nil // the stack sees db.internal:5432
	}
	_, err = pgx.ConnectConfig(context.Background(), cfg)

	var pgErr *pgconn.PgError
	require.True(t, errors.As(err, &pgErr), "the server's own answer, got %v", err)
	assert.Equal(t, "replica two answers", pgErr.Message)
	assert.Equal(t, []string{"db.internal:5432"}, asked, "pgx asked for the name; the Endpoints chose the replica")
	startup := <-second.startups
	assert.Contains(t, string(startup), "user\x00app\x00")
}

func TestPgxStaysOnTheFirstReplicaWhileItAnswers(t *testing.T) {
	first, second := startReplica(t, "one"), startReplica(t, "two")
	d := &net.Dialer{}
	failover := dialx.NewConsecutive(dialx.NewEndpoint(d, first.listener.Addr().String()), dialx.NewEndpoint(d, second.listener.Addr().String()))

	cfg, err := pgx.ParseConfig("postgres://app@db.internal:5432/app?sslmode=disable&connect_timeout=5")
	require.NoError(t, err)
	cfg.DialFunc = failover.DialContext
	cfg.LookupFunc = func(_ context.Context, host string) ([]string, error) { return []string{host}, nil }
	_, err = pgx.ConnectConfig(context.Background(), cfg)

	var pgErr *pgconn.PgError
	require.True(t, errors.As(err, &pgErr), "the server's own answer, got %v", err)
	assert.Equal(t, "replica one answers", pgErr.Message)
	<-first.startups
	select {
	case <-second.startups:
		t.Error("the second replica was dialed too")
	default:
	}
}
