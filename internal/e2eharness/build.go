package e2eharness

import (
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"sync"

	"github.com/frrk8s/frrk8s/internal/testenv"
)

// Build compiles main packages of the module once per test process, on
// first use, into a temporary directory.
type Build struct {
	tempPrefix string
	binaries   map[string]string // output name → package

	once sync.Once
	dir  string
	err  error
}

// NewBuild describes the binaries to build: each output name maps to a
// main package given relative to the repository root ("./cmd/reloader").
// The directory's name starts with tempPrefix.
func NewBuild(tempPrefix string, binaries map[string]string) *Build {
	return &Build{tempPrefix: tempPrefix, binaries: maps.Clone(binaries)}
}

// Dir builds the binaries on the first call and returns the directory
// holding them, or why they could not be built.
func (b *Build) Dir() (string, error) {
	b.once.Do(func() { b.dir, b.err = b.build() })
	return b.dir, b.err
}

// Path returns the path of the binary called name, building on first use.
func (b *Build) Path(name string) (string, error) {
	if _, ok := b.binaries[name]; !ok {
		return "", fmt.Errorf("no binary %q in the build", name)
	}
	dir, err := b.Dir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, name), nil
}

// Remove deletes what Dir built; call it from TestMain once the tests ran.
func (b *Build) Remove() {
	if b.dir != "" {
		_ = os.RemoveAll(b.dir)
	}
}

// build runs one go build for all packages, so that they compile and link
// in parallel, then names each output as asked (go build names it after
// the package directory).
func (b *Build) build() (string, error) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("the go tool is needed to build the binaries: %w", err)
	}
	names := slices.Sorted(maps.Keys(b.binaries))
	built := map[string]string{} // go build's output name → wanted name
	args := []string{"build", "-o", ""}
	for _, name := range names {
		pkg := b.binaries[name]
		base := path.Base(pkg)
		if other, ok := built[base]; ok {
			return "", fmt.Errorf("binaries %s and %s both build to %s", other, name, base)
		}
		built[base] = name
		args = append(args, pkg)
	}
	dir, err := os.MkdirTemp("", b.tempPrefix)
	if err != nil {
		return "", fmt.Errorf("create the binary directory: %w", err)
	}
	args[2] = dir + string(filepath.Separator)
	cmd := exec.Command(goBin, args...)
	cmd.Dir = testenv.RepoRoot()
	if out, err := cmd.CombinedOutput(); err != nil {
		_ = os.RemoveAll(dir)
		return "", fmt.Errorf("go build: %w\n%s", err, out)
	}
	for base, name := range built {
		if base == name {
			continue
		}
		if err := os.Rename(filepath.Join(dir, base), filepath.Join(dir, name)); err != nil {
			_ = os.RemoveAll(dir)
			return "", fmt.Errorf("name the %s binary: %w", name, err)
		}
	}
	return dir, nil
}
