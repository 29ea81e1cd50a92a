package manifeststest

import (
	"os"
	"testing"

	"github.com/go-logr/logr"
	"sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/frrk8s/frrk8s/internal/testenv"
)

func TestMain(m *testing.M) {
	// The clients the RBAC tests build log nothing worth reading.
	log.SetLogger(logr.Discard())
	os.Exit(testenv.Main(m))
}
