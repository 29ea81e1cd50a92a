package exporterstest

import (
	"os"
	"testing"

	"github.com/frrk8s/frrk8s/internal/testenv"
)

func TestMain(m *testing.M) {
	code := testenv.Main(m)
	build.Remove()
	os.Exit(code)
}
