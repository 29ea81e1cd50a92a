package community

import (
	"errors"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in        string
		want      string
		wantLarge bool
		wantErr   string
		wantIs    error
	}{
		{in: "65000:100", want: "65000:100"},
		{in: "0:0", want: "0:0"},
		{in: "065535:01", want: "65535:1"},
		{in: "large:4294967295:1:2", want: "4294967295:1:2", wantLarge: true},
		{in: "large:01:2:3", want: "1:2:3", wantLarge: true},
		{
			in:      "65536:1",
			wantErr: `invalid community value: invalid section "65536" of community "65536:1", err: "strconv.ParseUint: parsing \"65536\": value out of range"`,
			wantIs:  ErrInvalidValue,
		},
		{
			in:      "a:1",
			wantErr: `invalid community value: invalid section "a" of community "a:1", err: "strconv.ParseUint: parsing \"a\": invalid syntax"`,
			wantIs:  ErrInvalidValue,
		},
		{
			in:      "larg:1:2:3",
			wantErr: `invalid community value: invalid marker for large community, expected community to be of format large:<uint32>:<uint32>:<uint32> but got "larg:1:2:3" instead`,
			wantIs:  ErrInvalidValue,
		},
		{
			in:      "large:1:4294967296:3",
			wantErr: `invalid community value: invalid section "4294967296" of community "large:1:4294967296:3", err: "strconv.ParseUint: parsing \"4294967296\": value out of range"`,
			wantIs:  ErrInvalidValue,
		},
		{in: "12345", wantErr: "invalid community format: 12345", wantIs: ErrInvalidFormat},
		{in: "1:2:3", wantErr: "invalid community format: 1:2:3", wantIs: ErrInvalidFormat},
		{in: "", wantErr: "invalid community format: ", wantIs: ErrInvalidFormat},
		{in: "no-export", wantErr: "invalid community format: no-export", wantIs: ErrInvalidFormat},
	}
	for _, tc := range tests {
		got, err := Parse(tc.in)
		if tc.wantErr != "" {
			if err == nil || err.Error() != tc.wantErr {
				t.Errorf("Parse(%q) error = %v, want %q", tc.in, err, tc.wantErr)
			}
			if !errors.Is(err, tc.wantIs) {
				t.Errorf("Parse(%q) error does not wrap %v", tc.in, tc.wantIs)
			}
			continue
		}
		if err != nil {
			t.Errorf("Parse(%q) unexpected error %v", tc.in, err)
			continue
		}
		if got.String() != tc.want || got.IsLarge() != tc.wantLarge {
			t.Errorf("Parse(%q) = %s (large %t), want %s (large %t)", tc.in, got, got.IsLarge(), tc.want, tc.wantLarge)
		}
	}
}
