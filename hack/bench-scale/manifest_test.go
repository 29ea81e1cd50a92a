//go:build benchscale

package benchscale

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/util/yaml"
)

// controllerContainer is the name of /frr-k8s's container in the DaemonSet.
const controllerContainer = "controller"

// deployedController is what the DaemonSet manifest sets for /frr-k8s and
// matters to its memory: the Go runtime variables with literal values
// (GOMEMLIMIT, GOGC, ...), which the benchmark passes on, and the memory
// limit, which it reports.
type deployedController struct {
	runtimeEnv  []string
	memoryLimit string
}

// readDeployedController reads the controller container of the DaemonSet
// in a multi-document manifest.
func readDeployedController(path string) (deployedController, error) {
	var res deployedController
	f, err := os.Open(path)
	if err != nil {
		return res, err
	}
	defer f.Close()
	docs := yaml.NewYAMLReader(bufio.NewReader(f))
	for {
		doc, err := docs.Read()
		if errors.Is(err, io.EOF) {
			return res, fmt.Errorf("%s: no DaemonSet with a %q container", path, controllerContainer)
		}
		if err != nil {
			return res, fmt.Errorf("reading %s: %w", path, err)
		}
		var ds appsv1.DaemonSet
		if err := yaml.Unmarshal(doc, &ds); err != nil || ds.Kind != "DaemonSet" {
			continue
		}
		for _, c := range ds.Spec.Template.Spec.Containers {
			if c.Name != controllerContainer {
				continue
			}
			for _, e := range c.Env {
				if strings.HasPrefix(e.Name, "GO") && e.ValueFrom == nil {
					res.runtimeEnv = append(res.runtimeEnv, e.Name+"="+e.Value)
				}
			}
			if limit, ok := c.Resources.Limits["memory"]; ok {
				res.memoryLimit = limit.String()
			}
			return res, nil
		}
	}
}
