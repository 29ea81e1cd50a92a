// Package version reports the build's version, commit and branch, stamped
// through -ldflags -X at build time.
package version

var (
	version   = "devel"
	gitCommit = "unknown"
	gitBranch = "dev"
)

// Version is the release version of the build.
func Version() string { return version }

// GitCommit is the commit the binary was built from.
func GitCommit() string { return gitCommit }

// GitBranch is the branch the binary was built from.
func GitBranch() string { return gitBranch }
