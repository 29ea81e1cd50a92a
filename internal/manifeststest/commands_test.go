package manifeststest

import (
	"fmt"
	"path"
	"regexp"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/sets"
)

// copyCommand is the shell command of the init containers that copy a
// helper from the frr-k8s image into a shared volume.
var copyCommand = regexp.MustCompile(`^/bin/sh -c cp -f (/\S+) (/\S+?)/?$`)

// commandCheck follows which image files a pod runs and where they come from.
type commandCheck struct {
	image      string
	imageFiles sets.Set[string]
	// copied maps a volume name to the files copied into it.
	copied map[string]sets.Set[string]
	// used are the image files the pod runs or copies.
	used     sets.Set[string]
	problems []string
}

func newCommandCheck(image string, imageFiles sets.Set[string]) *commandCheck {
	return &commandCheck{image: image, imageFiles: imageFiles, copied: map[string]sets.Set[string]{}, used: sets.New[string]()}
}

func (c *commandCheck) problemf(format string, args ...any) {
	c.problems = append(c.problems, fmt.Sprintf(format, args...))
}

// needFile records that a container runs a file of the frr-k8s image.
func (c *commandCheck) needFile(container, file string) {
	if !c.imageFiles.Has(file) {
		c.problemf("container %s runs %s, which the Dockerfile does not put into the image", container, file)
		return
	}
	c.used.Insert(file)
}

// checkPod walks the init containers first (they fill the volumes), then
// the containers. Containers of the frr-k8s image must run files of the
// image; containers of other images that run a file from a mounted volume
// need an init container that copied that file from the frr-k8s image.
// Other commands (the FRR image's /bin/sh) belong to their own image.
func (c *commandCheck) checkPod(spec *corev1.PodSpec) {
	for _, ic := range spec.InitContainers {
		if ic.Image != c.image {
			continue
		}
		full := strings.Join(append(append([]string{}, ic.Command...), ic.Args...), " ")
		m := copyCommand.FindStringSubmatch(full)
		if m == nil {
			if len(ic.Command) > 0 {
				c.needFile(ic.Name, ic.Command[0])
			}
			continue
		}
		src, dir := m[1], m[2]
		c.needFile(ic.Name, src)
		vol := volumeMountedAt(&ic, dir)
		if vol == "" {
			c.problemf("init container %s copies %s into %s, which is not a mounted volume", ic.Name, src, dir)
			continue
		}
		if c.copied[vol] == nil {
			c.copied[vol] = sets.New[string]()
		}
		c.copied[vol].Insert(path.Base(src))
	}
	for _, ct := range spec.Containers {
		if len(ct.Command) == 0 {
			c.problemf("container %s has no command", ct.Name)
			continue
		}
		cmd := ct.Command[0]
		if ct.Image == c.image {
			c.needFile(ct.Name, cmd)
			continue
		}
		vol := volumeMountedAt(&ct, path.Dir(cmd))
		if vol == "" {
			continue
		}
		if !c.copied[vol].Has(path.Base(cmd)) {
			c.problemf("container %s runs %s from volume %s, but no init container copies it there", ct.Name, cmd, vol)
		}
	}
}

// volumeMountedAt returns the volume a container mounts at dir, if any.
func volumeMountedAt(c *corev1.Container, dir string) string {
	for _, m := range c.VolumeMounts {
		if path.Clean(m.MountPath) == path.Clean(dir) {
			return m.Name
		}
	}
	return ""
}

// checkCommands runs the check on a DaemonSet and a Deployment pod spec and
// reports problems, including image files that nothing runs.
func checkCommands(t *testing.T, image string, imageFiles sets.Set[string], specs ...*corev1.PodSpec) {
	t.Helper()
	c := newCommandCheck(image, imageFiles)
	for _, s := range specs {
		c.checkPod(s)
	}
	for _, p := range c.problems {
		t.Error(p)
	}
	if unused := imageFiles.Difference(c.used); unused.Len() > 0 {
		t.Errorf("the image holds %v, which no container runs or copies", sets.List(unused))
	}
}

// imageFilesOf returns the files the Dockerfile puts into the image.
func imageFilesOf(t *testing.T) sets.Set[string] {
	t.Helper()
	files := sets.New[string]()
	for dst := range parseDockerfile(t).imageFiles {
		files.Insert(dst)
	}
	return files
}

func TestKustomizeCommandsComeFromTheImage(t *testing.T) {
	// The base manifests name the frr-k8s image "controller"; kustomize
	// replaces it, so no tool is needed here.
	objs := mustDecodeFile(t, repoPath("config", "frr-k8s", "frr-k8s.yaml"))
	ds := daemonSet(t, objs)
	dep := deployment(t, objs)
	checkCommands(t, "controller", imageFilesOf(t), &ds.Spec.Template.Spec, &dep.Spec.Template.Spec)
}

func TestHelmCommandsComeFromTheImage(t *testing.T) {
	objs := helmTemplate(t)
	ds := daemonSet(t, objs)
	dep := deployment(t, objs)
	checkCommands(t, projectImage, imageFilesOf(t), &ds.Spec.Template.Spec, &dep.Spec.Template.Spec)
}

func TestCommandCheckFindsMissingFiles(t *testing.T) {
	// The checker itself: a helper that nothing copies, and an image file
	// nobody runs, are both reported.
	spec := &corev1.PodSpec{
		InitContainers: []corev1.Container{{
			Name: "cp", Image: "img", Command: []string{"/bin/sh", "-c", "cp -f /a /etc/a/"},
			VolumeMounts: []corev1.VolumeMount{{Name: "va", MountPath: "/etc/a"}},
		}},
		Containers: []corev1.Container{
			{Name: "runs-a", Image: "other", Command: []string{"/etc/a/a"}, VolumeMounts: []corev1.VolumeMount{{Name: "va", MountPath: "/etc/a"}}},
			{Name: "runs-b", Image: "other", Command: []string{"/etc/b/b"}, VolumeMounts: []corev1.VolumeMount{{Name: "vb", MountPath: "/etc/b"}}},
			{Name: "runs-c", Image: "img", Command: []string{"/c"}},
		},
	}
	c := newCommandCheck("img", sets.New("/a", "/d"))
	c.checkPod(spec)
	want := []string{
		"container runs-b runs /etc/b/b from volume vb, but no init container copies it there",
		"container runs-c runs /c, which the Dockerfile does not put into the image",
	}
	if strings.Join(c.problems, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(c.problems, "\n"), strings.Join(want, "\n"))
	}
	if unused := c.imageFiles.Difference(c.used); !unused.Equal(sets.New("/d")) {
		t.Errorf("unused files %v, want [/d]", sets.List(unused))
	}
}
