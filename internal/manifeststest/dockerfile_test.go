package manifeststest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/util/sets"
)

const (
	modulePath  = "github.com/frrk8s/frrk8s"
	versionPkg  = modulePath + "/internal/version"
	builderName = "builder"
)

// notInImage are the commands built for release archives only.
var notInImage = sets.New("frrk8sctl")

// imageBinaries are the binaries the image ships.
var imageBinaries = sets.New("/frr-k8s", "/statuscleaner", "/frr-metrics", "/frr-status", "/frr-reloader.sh")

// dockerfile is what the tests need to know about the Dockerfile.
type dockerfile struct {
	// builds maps each `go build -o` output to its package (./cmd/x).
	builds map[string]string
	// ldflagVars are the -X targets, as package.variable.
	ldflagVars []string
	// sources are the paths copied from the build context into the builder.
	sources sets.Set[string]
	// imageFiles maps each file copied into the final image to its source
	// in the builder stage.
	imageFiles map[string]string
	// finalBase is the base image of the final stage.
	finalBase string
	// builderText is the builder stage, continuation lines joined.
	builderText string
}

var (
	goBuildOutput = regexp.MustCompile(`go build\b[^&;|]*?-o\s+(\S+)\s+(\./cmd/[^\s&;|]+)`)
	ldflagTarget  = regexp.MustCompile(`-X\s+([\w./-]+\.\w+)=`)
	fromLine      = regexp.MustCompile(`(?i)^FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?`)
)

// parseDockerfile reads the stages of the repository's Dockerfile.
func parseDockerfile(t *testing.T) *dockerfile {
	t.Helper()
	data, err := os.ReadFile(repoPath("Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	joined := strings.ReplaceAll(string(data), "\\\n", " ")
	df := &dockerfile{builds: map[string]string{}, sources: sets.New[string](), imageFiles: map[string]string{}}
	stage := ""
	var builder strings.Builder
	for _, line := range strings.Split(joined, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if m := fromLine.FindStringSubmatch(line); m != nil {
			stage = m[2]
			if stage == "" {
				df.finalBase = m[1]
			}
			continue
		}
		if stage == builderName {
			builder.WriteString(line + "\n")
		}
		fields := strings.Fields(line)
		if strings.EqualFold(fields[0], "COPY") {
			df.addCopy(stage, fields[1:])
		}
	}
	df.builderText = builder.String()
	for _, m := range goBuildOutput.FindAllStringSubmatch(df.builderText, -1) {
		df.builds[m[1]] = m[2]
	}
	for _, m := range ldflagTarget.FindAllStringSubmatch(df.builderText, -1) {
		df.ldflagVars = append(df.ldflagVars, m[1])
	}
	return df
}

// addCopy records a COPY instruction of a stage.
func (df *dockerfile) addCopy(stage string, args []string) {
	from := ""
	if len(args) > 0 && strings.HasPrefix(args[0], "--from=") {
		from = strings.TrimPrefix(args[0], "--from=")
		args = args[1:]
	}
	if len(args) < 2 {
		return
	}
	srcs, dst := args[:len(args)-1], args[len(args)-1]
	switch {
	case stage == builderName && from == "":
		for _, s := range srcs {
			df.sources.Insert(strings.TrimSuffix(strings.TrimPrefix(s, "./"), "/"))
		}
	case stage == "" && from == builderName:
		for _, s := range srcs {
			df.imageFiles[dst] = s
		}
	case stage == "" && from == "":
		for range srcs {
			df.imageFiles[dst] = "context"
		}
	}
}

// isMainPackage says whether a directory holds a Go main package.
func isMainPackage(dir string) (bool, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false, err
	}
	fset := token.NewFileSet()
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.PackageClauseOnly)
		if err != nil {
			return false, err
		}
		if f.Name.Name == "main" {
			return true, nil
		}
	}
	return false, nil
}

// commandDirs lists the directories under cmd/.
func commandDirs(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(repoPath("cmd"))
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, e := range entries {
		if e.IsDir() {
			dirs = append(dirs, e.Name())
		}
	}
	return dirs
}

func TestDockerfileBuildsExistingCommands(t *testing.T) {
	df := parseDockerfile(t)
	if len(df.builds) == 0 {
		t.Fatal("the Dockerfile builds nothing")
	}
	for out, pkg := range df.builds {
		dir := repoPath(filepath.FromSlash(pkg))
		isMain, err := isMainPackage(dir)
		if err != nil {
			t.Errorf("%s is built from %s: %v", out, pkg, err)
			continue
		}
		if !isMain {
			t.Errorf("%s is built from %s, which is not a main package", out, pkg)
		}
	}
	built := sets.New[string]()
	for _, pkg := range df.builds {
		built.Insert(path.Base(pkg))
	}
	for _, dir := range commandDirs(t) {
		if !built.Has(dir) && !notInImage.Has(dir) {
			t.Errorf("cmd/%s is neither built by the Dockerfile nor listed as kept out of the image", dir)
		}
	}
}

func TestDockerfileImageContents(t *testing.T) {
	df := parseDockerfile(t)
	got := sets.New[string]()
	for dst, src := range df.imageFiles {
		got.Insert(dst)
		if _, built := df.builds[src]; !built {
			t.Errorf("the image gets %s from %s, which no go build produces", dst, src)
		}
	}
	if diff := cmp.Diff(sets.List(imageBinaries), sets.List(got)); diff != "" {
		t.Errorf("files in the image (-want +got):\n%s", diff)
	}
	if !strings.Contains(df.finalBase, "alpine") {
		t.Errorf("final stage is based on %q; the init containers need alpine's /bin/sh and cp", df.finalBase)
	}
}

func TestDockerfileBuildSettings(t *testing.T) {
	data, err := os.ReadFile(repoPath("Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"FROM --platform=$BUILDPLATFORM",
		"CGO_ENABLED=0",
		`GOOS="$TARGETOS"`,
		`GOARCH="$TARGETARCH"`,
		"linux/arm/v6) export GOARM=6",
		"linux/arm/v7) export GOARM=7",
		"ARG GIT_BRANCH=dev",
		"go mod download",
	} {
		if !strings.Contains(string(data), want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
	df := parseDockerfile(t)
	if !df.sources.HasAll("go.mod", "go.sum") {
		t.Errorf("go.mod and go.sum are not copied into the builder: %v", sets.List(df.sources))
	}
	// Every build carries the version ldflags.
	for out := range df.builds {
		if !strings.Contains(df.builderText, `-ldflags "$LDFLAGS" -o `+out) {
			t.Errorf("%s is not built with the version ldflags", out)
		}
	}
}

func TestDockerfileVersionLdflags(t *testing.T) {
	df := parseDockerfile(t)
	want := []string{versionPkg + ".gitBranch", versionPkg + ".gitCommit", versionPkg + ".version"}
	got := slices.Sorted(slices.Values(df.ldflagVars))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("-X targets (-want +got):\n%s", diff)
	}
	vars := packageStringVars(t, repoPath("internal", "version"))
	for _, v := range want {
		name := v[strings.LastIndex(v, ".")+1:]
		if !vars.Has(name) {
			t.Errorf("internal/version has no package-level string variable %q for -X", name)
		}
	}
}

// packageStringVars lists the package-level variables of a directory's
// non-test files.
func packageStringVars(t *testing.T, dir string) sets.Set[string] {
	t.Helper()
	fset := token.NewFileSet()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	vars := sets.New[string]()
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			gen, ok := decl.(*ast.GenDecl)
			if !ok || gen.Tok != token.VAR {
				continue
			}
			for _, spec := range gen.Specs {
				for _, n := range spec.(*ast.ValueSpec).Names {
					vars.Insert(n.Name)
				}
			}
		}
	}
	return vars
}

func TestDockerfileCopiesEverySourceDirectory(t *testing.T) {
	goBin := requireTool(t, "go", "go")
	df := parseDockerfile(t)
	pkgs := slices.Sorted(maps.Values(df.builds))
	cmd := exec.Command(goBin, append([]string{"list", "-e", "-deps", "-f", "{{.ImportPath}}"}, pkgs...)...)
	cmd.Dir = repoPath()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	needed := sets.New[string]()
	for _, p := range strings.Fields(string(out)) {
		if rest, ok := strings.CutPrefix(p, modulePath+"/"); ok {
			needed.Insert(strings.SplitN(rest, "/", 2)[0])
		}
	}
	if missing := needed.Difference(df.sources); missing.Len() > 0 {
		t.Errorf("the image build needs %v but the Dockerfile does not copy them", sets.List(missing))
	}
	kept := dockerContextDirs(t)
	for _, dir := range sets.List(df.sources) {
		if !kept.Has(dir) {
			t.Errorf(".dockerignore keeps %s out of the build context but the Dockerfile copies it", dir)
		}
	}
}

// dockerContextDirs lists the paths .dockerignore lets into the context.
// The file ignores everything ("*") and re-includes paths with "!path".
func dockerContextDirs(t *testing.T) sets.Set[string] {
	t.Helper()
	data, err := os.ReadFile(repoPath(".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	kept := sets.New[string]()
	ignoresAll := false
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "*":
			ignoresAll = true
		case strings.HasPrefix(line, "!"):
			kept.Insert(strings.TrimSuffix(strings.TrimPrefix(line, "!"), "/"))
		}
	}
	if !ignoresAll {
		t.Fatal(".dockerignore must start from \"*\" and re-include what the build needs")
	}
	return kept
}
