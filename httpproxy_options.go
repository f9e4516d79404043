package dialx

import (
	"crypto/tls"
	"net/http"
)

// WithProxyTLS sets the TLS configuration an [HTTPProxy] uses with an
// https:// proxy (default: the zero tls.Config), as a copy with the
// proxy's host as ServerName if config leaves it empty, and NextProtos
// http/1.1, the protocol of the CONNECT exchange; config is not modified.
// It does nothing for an http:// proxy. It panics if config is nil.
func WithProxyTLS(config *tls.Config) Option {
	if config == nil {
		panic("dialx: WithProxyTLS: config must not be nil, got nil")
	}
	return &option{name: "WithProxyTLS", to: takenByHTTPProxy,
		set: func(s *settings) { s.proxyTLS = config }}
}

// WithProxyHeader adds header, copied, to each CONNECT request of an
// [HTTPProxy]: a User-Agent, or a Proxy-Authorization other than Basic,
// which then replaces the one of the URL's userinfo. It panics if header
// is nil.
func WithProxyHeader(header http.Header) Option {
	if header == nil {
		panic("dialx: WithProxyHeader: header must not be nil, got nil")
	}
	header = header.Clone()
	return &option{name: "WithProxyHeader", to: takenByHTTPProxy,
		set: func(s *settings) { s.proxyHeader = header }}
}
