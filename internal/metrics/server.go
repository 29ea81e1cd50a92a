package metrics

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"time"

	"github.com/go-logr/logr"
	"sigs.k8s.io/controller-runtime/pkg/certwatcher"
)

// ReadTimeout is the server's read timeout.
const ReadTimeout = 3 * time.Second

// shutdownTimeout bounds the graceful shutdown once the context ends.
const shutdownTimeout = 5 * time.Second

// selfSignedValidity is how long the in-memory certificate is valid.
const selfSignedValidity = 10 * 365 * 24 * time.Hour

// ServerOptions configure Serve.
type ServerOptions struct {
	// Handler answers every request.
	Handler http.Handler
	// TLSOpts adjust the TLS configuration (min version, cipher suites,
	// curves; see internal/tlsconfig).
	TLSOpts []func(*tls.Config)
	// CertFile and KeyFile hold the serving certificate, reloaded when the
	// files change. Both empty: a self-signed certificate for Hostname is
	// generated in memory.
	CertFile, KeyFile string
	// Hostname is the common name of the self-signed certificate.
	Hostname string
	// Log receives server errors.
	Log logr.Logger
}

// Serve serves HTTPS on ln until ctx ends, then shuts down gracefully.
func Serve(ctx context.Context, ln net.Listener, o ServerOptions) error {
	tlsCfg, err := serverTLSConfig(ctx, o)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:     o.Handler,
		ReadTimeout: ReadTimeout,
		TLSConfig:   tlsCfg,
	}
	done := make(chan error, 1)
	go func() { done <- srv.ServeTLS(ln, "", "") }()
	select {
	case err := <-done:
		return fmt.Errorf("serve https: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shut down https server: %w", err)
	}
	if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve https: %w", err)
	}
	return nil
}

// serverTLSConfig builds the TLS configuration: the certificate source, then
// the options.
func serverTLSConfig(ctx context.Context, o ServerOptions) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	switch {
	case o.CertFile == "" && o.KeyFile == "":
		cert, err := SelfSignedCertificate(o.Hostname)
		if err != nil {
			return nil, err
		}
		cfg.Certificates = []tls.Certificate{cert}
	case o.CertFile == "" || o.KeyFile == "":
		return nil, errors.New("the TLS certificate and private key files must be given together")
	default:
		watcher, err := certwatcher.New(o.CertFile, o.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("load TLS certificate: %w", err)
		}
		go func() {
			if err := watcher.Start(ctx); err != nil {
				o.Log.Error(err, "certificate watcher stopped")
			}
		}()
		cfg.GetCertificate = watcher.GetCertificate
	}
	for _, opt := range o.TLSOpts {
		opt(cfg)
	}
	return cfg, nil
}

// SelfSignedCertificate returns a new ECDSA P-256 server certificate for
// hostname (common name and DNS name), signed by its own key.
func SelfSignedCertificate(hostname string) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("generate key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("generate serial number: %w", err)
	}
	now := time.Now()
	template := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: hostname},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(selfSignedValidity),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	if hostname != "" {
		template.DNSNames = []string{hostname}
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("create self-signed certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("parse self-signed certificate: %w", err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, nil
}
