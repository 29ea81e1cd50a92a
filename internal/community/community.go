// Package community parses BGP communities as FRRConfiguration spells them:
// standard communities "A:B" with 16-bit parts and large communities
// "large:A:B:C" with 32-bit parts. Well-known names are not supported.
package community

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

var (
	// ErrInvalidValue is wrapped when a community has the right shape but a bad part.
	ErrInvalidValue = errors.New("invalid community value")
	// ErrInvalidFormat is wrapped when a community has neither shape.
	ErrInvalidFormat = errors.New("invalid community format")
)

// largeMarker starts a large community.
const largeMarker = "large"

// Community is a parsed standard or large BGP community.
type Community struct {
	large bool
	parts [3]uint32
}

// Parse parses "A:B" (standard) or "large:A:B:C" (large).
func Parse(s string) (Community, error) {
	fields := strings.Split(s, ":")
	switch len(fields) {
	case 2:
		return parseParts(s, fields, 16, false)
	case 4:
		if fields[0] != largeMarker {
			return Community{}, fmt.Errorf("%w: invalid marker for large community, expected community to be of "+
				"format %s:<uint32>:<uint32>:<uint32> but got %q instead", ErrInvalidValue, largeMarker, s)
		}
		return parseParts(s, fields[1:], 32, true)
	}
	return Community{}, fmt.Errorf("%w: %s", ErrInvalidFormat, s)
}

// parseParts parses the numeric sections of a community of the given part width.
func parseParts(s string, fields []string, bits int, large bool) (Community, error) {
	c := Community{large: large}
	for i, f := range fields {
		v, err := strconv.ParseUint(f, 10, bits)
		if err != nil {
			return Community{}, fmt.Errorf("%w: invalid section %q of community %q, err: %q", ErrInvalidValue, f, s, err)
		}
		c.parts[i] = uint32(v)
	}
	return c, nil
}

// IsLarge reports whether c is a large community.
func (c Community) IsLarge() bool { return c.large }

// String prints the community normalised, without the "large:" marker:
// "A:B" or "A:B:C".
func (c Community) String() string {
	if c.large {
		return fmt.Sprintf("%d:%d:%d", c.parts[0], c.parts[1], c.parts[2])
	}
	return fmt.Sprintf("%d:%d", c.parts[0], c.parts[1])
}
