package convert

import (
	"strconv"
	"strings"
)

// Error texts end up in FRRNodeState's lastConversionResult, in events and
// in webhook denials: they stay small whatever the input, by naming only
// the first few items of a list and by cutting long texts in the middle.

// Limits on the lists and texts embedded in error messages.
const (
	// maxListedItems is how many items of a list an error names.
	maxListedItems = 5
	// maxMessage is the most bytes of an error text before its detail.
	maxMessage = 2048
)

// shortList prints a list as fmt's %s does ("[a b]"), naming at most
// maxListedItems items followed by how many more there are.
func shortList(l []string) string {
	if len(l) <= maxListedItems {
		return "[" + strings.Join(l, " ") + "]"
	}
	return "[" + strings.Join(l[:maxListedItems], " ") + " ... and " + strconv.Itoa(len(l)-maxListedItems) + " more]"
}

// shortMessage cuts a text longer than maxMessage bytes in the middle,
// keeping its beginning and its end, at UTF-8 boundaries.
func shortMessage(s string) string {
	if len(s) <= maxMessage {
		return s
	}
	keep := maxMessage / 2
	head, tail := s[:keep], s[len(s)-keep:]
	head = strings.ToValidUTF8(head, "")
	tail = strings.ToValidUTF8(tail, "")
	return head + " ... (" + strconv.Itoa(len(s)-len(head)-len(tail)) + " bytes cut) ... " + tail
}
