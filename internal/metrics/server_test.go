package metrics

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr"
)

// startServer serves h over HTTPS on a loopback port until the test ends.
func startServer(t *testing.T, o ServerOptions) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if o.Handler == nil {
		o.Handler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "hello") })
	}
	o.Log = logr.Discard()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, o) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return ln.Addr().String()
}

// peerCertificate connects with TLS and returns the server's leaf.
func peerCertificate(addr string, cfg *tls.Config) (*x509.Certificate, error) {
	conn, err := tls.Dial("tcp", addr, cfg)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	return conn.ConnectionState().PeerCertificates[0], nil
}

func insecure() *tls.Config { return &tls.Config{InsecureSkipVerify: true} } //nolint:gosec // test client of a self-signed server

func TestServeSelfSignedHTTPSOnly(t *testing.T) {
	addr := startServer(t, ServerOptions{Hostname: "node-1.example"})
	leaf, err := peerCertificate(addr, insecure())
	if err != nil {
		t.Fatal(err)
	}
	if leaf.Subject.CommonName != "node-1.example" {
		t.Errorf("CN = %q, want the hostname", leaf.Subject.CommonName)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "node-1.example"}}}
	resp, err := client.Get("https://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != "hello" {
		t.Errorf("GET over HTTPS = %d %q", resp.StatusCode, body)
	}
	resp, err = http.Get("http://" + addr + "/")
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Errorf("plain HTTP was served")
		}
	}
}

func TestServeAppliesTLSOptions(t *testing.T) {
	addr := startServer(t, ServerOptions{TLSOpts: []func(*tls.Config){func(c *tls.Config) { c.MinVersion = tls.VersionTLS13 }}})
	cfg := insecure()
	cfg.MaxVersion = tls.VersionTLS12
	if _, err := peerCertificate(addr, cfg); err == nil {
		t.Error("a TLS 1.2 client was accepted with a TLS 1.3 minimum")
	}
	if _, err := peerCertificate(addr, insecure()); err != nil {
		t.Errorf("TLS 1.3 client: %v", err)
	}
}

// writeCertFiles writes a new self-signed pair atomically and returns its
// leaf.
func writeCertFiles(t *testing.T, dir, host string) *x509.Certificate {
	t.Helper()
	cert, err := SelfSignedCertificate(host)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		"tls.key": pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}),
		"tls.crt": pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]}),
	}
	for _, name := range []string{"tls.key", "tls.crt"} {
		tmp := filepath.Join(dir, "."+name+".tmp")
		if err := os.WriteFile(tmp, files[name], 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	return cert.Leaf
}

func TestServeReloadsCertificateFiles(t *testing.T) {
	dir := t.TempDir()
	first := writeCertFiles(t, dir, "first.example")
	addr := startServer(t, ServerOptions{CertFile: filepath.Join(dir, "tls.crt"), KeyFile: filepath.Join(dir, "tls.key")})
	leaf, err := peerCertificate(addr, insecure())
	if err != nil {
		t.Fatal(err)
	}
	if !leaf.Equal(first) {
		t.Fatalf("served %q, want the certificate from the files", leaf.Subject.CommonName)
	}
	second := writeCertFiles(t, dir, "second.example")
	deadline := time.Now().Add(30 * time.Second)
	for {
		leaf, err := peerCertificate(addr, insecure())
		if err == nil && leaf.Equal(second) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("still serving %v (%v) after the files changed", leaf.Subject.CommonName, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestServeRejectsHalfACertificate(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	err = Serve(context.Background(), ln, ServerOptions{CertFile: "/nonexistent/tls.crt"})
	if err == nil {
		t.Fatal("Serve with only a certificate file succeeded")
	}
	err = Serve(context.Background(), ln, ServerOptions{CertFile: "/nonexistent/tls.crt", KeyFile: "/nonexistent/tls.key"})
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("Serve with missing files = %v", err)
	}
}

// TestServeReadTimeout checks that a client that stops sending in the middle
// of its request headers is disconnected (after ReadTimeout).
func TestServeReadTimeout(t *testing.T) {
	addr := startServer(t, ServerOptions{})
	conn, err := tls.Dial("tcp", addr, insecure())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := fmt.Fprint(conn, "GET / HTTP/1.1\r\nHost: x\r\n"); err != nil {
		t.Fatal(err)
	}
	// Generous deadline: the server must give up long before the client.
	if err := conn.SetReadDeadline(time.Now().Add(30 * time.Second)); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	_, err = io.Copy(&buf, conn)
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		t.Fatalf("the server kept a stalled request open: %v", err)
	}
	if strings.Contains(buf.String(), "hello") {
		t.Errorf("the stalled request was answered: %q", buf.String())
	}
}
