package convert

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
)

// origin names the FRRConfiguration a value came from, as "<ns>/<name>".
type origin string

// originOf returns the origin of a config.
func originOf(cfg *v1beta1.FRRConfiguration) origin {
	return origin(cfg.Namespace + "/" + cfg.Name)
}

// ConversionError is the error Convert returns. Its text is the
// upstream error followed by the D6 detail: the conflicting field with both
// values and configs for merge conflicts, or " (FRRConfiguration <ns>/<name>)"
// for per-config validation errors. Checks on the merged routers carry no
// detail. It unwraps to the upstream error.
type ConversionError struct {
	err    error
	detail string
}

// Error returns the upstream text followed by the detail.
func (e *ConversionError) Error() string { return e.err.Error() + e.detail }

// Unwrap returns the error without the detail.
func (e *ConversionError) Unwrap() error { return e.err }

// SecretNotFoundError reports a passwordSecret that names no Secret of the
// daemon namespace. The Secret may just not be cached yet.
type SecretNotFoundError struct {
	// Name is the missing Secret.
	Name string
	// Neighbor is the display name of the neighbor referencing it.
	Neighbor string
}

// Error returns the upstream text.
func (e *SecretNotFoundError) Error() string {
	return fmt.Sprintf("secret %s not found for neighbor %s", e.Name, e.Neighbor)
}

// side is one of the two values of a merge conflict and the config it came from.
type side struct {
	value string
	from  origin
}

// conflictError is a merge conflict: the upstream sentence, plus the field
// and the two values that clash, reported by the D6 suffix.
type conflictError struct {
	msg   string
	field string
	a, b  side
}

// Error returns the upstream sentence only; wrappers go around it and the
// D6 suffix is added once at the very end by withDetail.
func (e *conflictError) Error() string { return e.msg }

// suffix is the D6 detail of the conflict.
func (e *conflictError) suffix() string {
	return fmt.Sprintf(" (field %s: %s in %s, %s in %s)", e.field, e.a.value, e.a.from, e.b.value, e.b.from)
}

// newConflict builds a conflict on field between a (accumulated) and b (incoming).
func newConflict(field string, a, b side, format string, args ...any) error {
	return &conflictError{msg: fmt.Sprintf(format, args...), field: field, a: a, b: b}
}

// withDetail appends the D6 detail to an error raised while converting or
// merging the config cfg: the conflict suffix when the error is a merge
// conflict, the config name otherwise.
func withDetail(err error, cfg origin) error {
	var conflict *conflictError
	if errors.As(err, &conflict) {
		return &ConversionError{err: err, detail: conflict.suffix()}
	}
	return &ConversionError{err: err, detail: " (FRRConfiguration " + string(cfg) + ")"}
}

// Value spellings used in the D6 suffix.

const unsetValue = "unset"

// uintValue prints a number in decimal.
func uintValue[T ~uint16 | ~uint32 | ~uint64](v T) string {
	return strconv.FormatUint(uint64(v), 10)
}

// stringValue prints a string, "unset" when empty.
func stringValue(s string) string {
	if s == "" {
		return unsetValue
	}
	return s
}

// passwordValue never prints the password itself.
func passwordValue(p string) string {
	if p == "" {
		return unsetValue
	}
	return "<redacted>"
}

// boolValue prints true or false.
func boolValue(b bool) string { return strconv.FormatBool(b) }

// portValue prints a port, or the default it stands for when unset.
func portValue(p *uint16) string {
	if p == nil {
		return fmt.Sprintf("unset (default %d)", defaultBGPPort)
	}
	return uintValue(*p)
}

// secondsValue prints a duration in seconds, or its default when unset.
func secondsValue(v *int64, def int64) string {
	if v == nil {
		return fmt.Sprintf("unset (default %ds)", def)
	}
	return strconv.FormatInt(*v, 10) + "s"
}

// optionalUintValue prints an optional number, "unset" when nil.
func optionalUintValue(v *uint32) string {
	if v == nil {
		return unsetValue
	}
	return uintValue(*v)
}

// listValue prints a list as "[a b]", "unset" when empty.
func listValue(l []string) string {
	if len(l) == 0 {
		return unsetValue
	}
	return "[" + strings.Join(l, " ") + "]"
}
