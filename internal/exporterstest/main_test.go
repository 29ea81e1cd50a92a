package exporterstest

import (
	"os"
	"testing"

	"github.com/frrk8s/frrk8s/internal/testenv"
)

func TestMain(m *testing.M) {
	os.Exit(testenv.Main(m))
}
