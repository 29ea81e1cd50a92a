package frr

import (
	"strconv"
	"strings"

	"github.com/frrk8s/frrk8s/internal/redact"
)

// Caps of the FRRNodeState status texts.
const (
	// RunningConfigCap is the most bytes stored in status.runningConfig.
	RunningConfigCap = 1 << 20
	// ReloadResultCap is the most bytes stored in status.lastReloadResult.
	ReloadResultCap = 256 << 10
)

// Redact hides the neighbor passwords of s: every password keyword FRR
// accepts ("password" and its abbreviations down to "pa", or "password"
// inside a word) with the rest of its line becomes "<keyword> <retracted>",
// and every password value s itself sets is hidden wherever else it shows.
func Redact(s string) string {
	return redact.String(s)
}

// RedactWith is Redact that also hides the password values set in the
// given FRR configurations (the running or rendered config), so a value
// echoed by an error message without its keyword is hidden too.
func RedactWith(s string, configs ...string) string {
	return redact.New(append([]string{s}, configs...)...).Redact(s)
}

// Cap bounds s to limit bytes (D4). A text of at most limit bytes is
// returned as is. A longer one keeps its longest prefix that ends with a
// newline and leaves room for the marker line "! truncated: <N> bytes
// total\n", N being len(s), followed by that marker; without such a newline
// only the marker remains. The result is never longer than limit: when even
// the marker does not fit, it is empty.
func Cap(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	marker := truncationMarker(len(s))
	room := limit - len(marker)
	if room < 0 {
		return ""
	}
	end := strings.LastIndexByte(s[:room], '\n')
	return s[:end+1] + marker
}

// truncationMarker is the line that ends a capped text of total bytes.
func truncationMarker(total int) string {
	return "! truncated: " + strconv.Itoa(total) + " bytes total\n"
}
