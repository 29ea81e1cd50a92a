package frr

import (
	"regexp"
	"strconv"
	"strings"
)

// Caps of the FRRNodeState status texts (D4, spec/daemon.md §6).
const (
	// RunningConfigCap is the most bytes stored in status.runningConfig.
	RunningConfigCap = 1 << 20
	// ReloadResultCap is the most bytes stored in status.lastReloadResult.
	ReloadResultCap = 256 << 10
)

// passwordRE matches a password and the rest of its line, like the
// reloader's `sed 's/password.*/password <retracted>/g'`.
var passwordRE = regexp.MustCompile(`password.*`)

// Redact replaces every "password" and what follows it on the same line with
// "password <retracted>".
func Redact(s string) string {
	return passwordRE.ReplaceAllLiteralString(s, "password <retracted>")
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
