package advertise

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/frrk8s/frrk8s/internal/testenv"
)

// Environment variables of the benchmark.
const (
	// benchEnv turns the benchmark on when set to a non-empty value.
	benchEnv = "FRRK8S_ADVERTISE_BENCH"
	// sizesEnv overrides defaultSizes: "frr84=250,500;frr10=1000".
	sizesEnv = "FRRK8S_ADVERTISE_SIZES"
	// debounceEnv lists the daemon's --bgp-debounce-timeout values to
	// measure, in milliseconds: "3000,10". The default is the production
	// default, 3000.
	debounceEnv = "FRRK8S_ADVERTISE_DEBOUNCE_MS"
	// layoutsEnv lists the layouts to measure: "stable,position" (the
	// default: both, position only where the binaries support it).
	layoutsEnv = "FRRK8S_ADVERTISE_LAYOUTS"
	// svgEnv names the file the plot of the results is written to; unset
	// writes none.
	svgEnv = "FRRK8S_ADVERTISE_SVG"
	// repeatsEnv is how many times the one-prefix changes are measured at
	// sizes up to repeatLimit (default 5); larger sizes measure them once.
	repeatsEnv = "FRRK8S_ADVERTISE_REPEATS"
	// logDirEnv names a directory that receives the whole output of the
	// reloader and of /frr-k8s of every run, each line stamped with its
	// arrival time; unset keeps only the markers and the last lines.
	logDirEnv = "FRRK8S_ADVERTISE_LOG_DIR"
)

// repeatLimit is the largest N whose one-prefix changes are repeated.
const repeatLimit = 100

// defaultSizes are the prefix counts measured per FRR version. FRR 8.4
// loads prefix-list entries in time growing with the square of their number
// (docs/advertise-benchmark.md), so it stops at 1,000 prefixes (4,000 entries)
// and the larger sizes are extrapolated from the three points.
var defaultSizes = map[string][]int{
	"frr84": {10, 250, 1000},
	"frr10": {10, 1000, 10000},
}

// enabled reports whether the benchmark was asked for.
func enabled() bool {
	return os.Getenv(benchEnv) != ""
}

func TestMain(m *testing.M) {
	if !enabled() {
		// No API server: the tests skip at once.
		os.Exit(m.Run())
	}
	code := testenv.Main(m)
	build.Remove()
	os.Exit(code)
}

// sizesFor returns the prefix counts to measure on version.
func sizesFor(version string) ([]int, error) {
	spec := os.Getenv(sizesEnv)
	if spec == "" {
		return defaultSizes[version], nil
	}
	sizes, err := parseSizes(spec)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", sizesEnv, err)
	}
	return sizes[version], nil
}

// debouncesFromEnv returns the debounce windows to measure, in ms.
func debouncesFromEnv() ([]int, error) {
	spec := os.Getenv(debounceEnv)
	if spec == "" {
		return []int{3000}, nil
	}
	return parseInts(spec)
}

// repeatsFromEnv returns how many times small sizes repeat the changes.
func repeatsFromEnv() (int, error) {
	spec := os.Getenv(repeatsEnv)
	if spec == "" {
		return 5, nil
	}
	n, err := strconv.Atoi(spec)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%s=%q is not a positive count", repeatsEnv, spec)
	}
	return n, nil
}

// parseInts reads "n,n,n" of positive integers, in the given order.
func parseInts(spec string) ([]int, error) {
	var res []int
	for field := range strings.SplitSeq(spec, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(field))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not a positive count", field)
		}
		res = append(res, n)
	}
	return res, nil
}

// parseSizes reads "version=n,n;version=n".
func parseSizes(spec string) (map[string][]int, error) {
	sizes := map[string][]int{}
	for part := range strings.SplitSeq(spec, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		version, list, ok := strings.Cut(part, "=")
		if !ok {
			return nil, fmt.Errorf("%q has no '='", part)
		}
		for field := range strings.SplitSeq(list, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(field))
			if err != nil || n < 1 {
				return nil, fmt.Errorf("%q is not a positive count", field)
			}
			sizes[strings.TrimSpace(version)] = append(sizes[strings.TrimSpace(version)], n)
		}
	}
	for _, v := range sizes {
		slices.Sort(v)
	}
	return sizes, nil
}
