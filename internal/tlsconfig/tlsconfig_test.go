package tlsconfig

import (
	"crypto/tls"
	"flag"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// settings are the tls.Config fields the flags set.
type settings struct {
	MinVersion       uint16
	CipherSuites     []uint16
	CurvePreferences []tls.CurveID
}

func TestOptionAppliesFlags(t *testing.T) {
	tests := []struct {
		name  string
		flags Flags
		want  settings
	}{
		{
			name: "defaults to TLS 1.3 and Go's suites and curves",
			want: settings{MinVersion: tls.VersionTLS13},
		},
		{
			name:  "TLS 1.3 with curves",
			flags: Flags{MinVersion: "VersionTLS13", CurvePreferences: "29, 23"},
			want:  settings{MinVersion: tls.VersionTLS13, CurvePreferences: []tls.CurveID{tls.X25519, tls.CurveP256}},
		},
		{
			name: "TLS 1.2 with suites in flag order",
			flags: Flags{
				MinVersion:   "VersionTLS12",
				CipherSuites: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
			},
			want: settings{
				MinVersion: tls.VersionTLS12,
				CipherSuites: []uint16{
					tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
					tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
				},
			},
		},
		{
			name:  "insecure suite names are known",
			flags: Flags{MinVersion: "VersionTLS12", CipherSuites: "TLS_RSA_WITH_AES_128_CBC_SHA256"},
			want:  settings{MinVersion: tls.VersionTLS12, CipherSuites: []uint16{tls.TLS_RSA_WITH_AES_128_CBC_SHA256}},
		},
		{
			name:  "post-quantum hybrid curve",
			flags: Flags{CurvePreferences: "4588"},
			want:  settings{MinVersion: tls.VersionTLS13, CurvePreferences: []tls.CurveID{tls.X25519MLKEM768}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opt, err := tc.flags.Option()
			if err != nil {
				t.Fatalf("Option() error: %v", err)
			}
			var got tls.Config
			opt(&got)
			applied := settings{MinVersion: got.MinVersion, CipherSuites: got.CipherSuites, CurvePreferences: got.CurvePreferences}
			if diff := cmp.Diff(tc.want, applied); diff != "" {
				t.Errorf("tls.Config (-want +got):\n%s", diff)
			}
		})
	}
}

func TestOptionRejectsInvalidFlags(t *testing.T) {
	tests := []struct {
		name  string
		flags Flags
		want  string
	}{
		{"unknown version", Flags{MinVersion: "VersionTLS11"}, "invalid --tls-min-version"},
		{"suites with TLS 1.3 default", Flags{CipherSuites: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"}, "TLS 1.3"},
		{"suites with TLS 1.3", Flags{MinVersion: "VersionTLS13", CipherSuites: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"}, "TLS 1.3"},
		{"unknown suite", Flags{MinVersion: "VersionTLS12", CipherSuites: "TLS_FOO"}, `unknown cipher suite "TLS_FOO"`},
		{"curve name instead of number", Flags{CurvePreferences: "X25519"}, "not a curve ID"},
		{"curve zero", Flags{CurvePreferences: "0"}, "not a curve ID"},
		{"curve out of range", Flags{CurvePreferences: "65536"}, "not a curve ID"},
		{"negative curve", Flags{CurvePreferences: "-1"}, "not a curve ID"},
		{"unsupported curve", Flags{CurvePreferences: "65535"}, "not supported"},
		{"duplicate curve", Flags{CurvePreferences: "23,29,23"}, "duplicate"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.flags.Option()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Option() error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestRegisterParsesFlags(t *testing.T) {
	var f Flags
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	f.Register(fs)
	err := fs.Parse([]string{"--tls-cipher-suites=A,B", "--tls-curve-preferences=23", "--tls-min-version=VersionTLS12"})
	if err != nil {
		t.Fatal(err)
	}
	want := Flags{CipherSuites: "A,B", CurvePreferences: "23", MinVersion: "VersionTLS12"}
	if diff := cmp.Diff(want, f); diff != "" {
		t.Errorf("flags (-want +got):\n%s", diff)
	}
}
