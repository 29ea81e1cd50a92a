package suite

import (
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/frrk8s/frrk8s/api/v1beta1"
)

// Polling bounds shared by the specs: generous, because the suite runs on
// loaded machines; Eventually returns as soon as the condition holds.
const (
	convergeTimeout = 3 * time.Minute
	pollInterval    = time.Second
	// quietPeriod is how long a spec watches that something does not happen.
	quietPeriod = 5 * time.Second
	// apiTimeout bounds one API request.
	apiTimeout = 30 * time.Second
)

var (
	// env describes the environment under test.
	env *environment
	// k8s is an administrator client of the cluster.
	k8s client.Client
	// clientset is used where the typed clientset is handier (tokens).
	clientset kubernetes.Interface
	// restConfig is the configuration k8s was built from.
	restConfig *rest.Config
)

// TestE2E runs the suite when FRRK8S_E2E_KUBECONFIG points at an
// environment, and skips otherwise, also under CI=true: CI runs the suite
// through `make e2e`, which sets the variables.
func TestE2E(t *testing.T) {
	if !configured() {
		t.Skipf("%s is not set: no environment to run the e2e suite against (run hack/e2e.sh, or see e2etests/README.md)", envKubeconfig)
	}
	RegisterFailHandler(Fail)
	ctrllog.SetLogger(GinkgoLogr)
	SetDefaultEventuallyTimeout(convergeTimeout)
	SetDefaultEventuallyPollingInterval(pollInterval)
	SetDefaultConsistentlyDuration(quietPeriod)
	SetDefaultConsistentlyPollingInterval(pollInterval)
	RunSpecs(t, "frr-k8s e2e")
}

var _ = BeforeSuite(func() {
	var err error
	env, err = loadEnvironment()
	Expect(err).NotTo(HaveOccurred())

	restConfig, err = clientcmd.BuildConfigFromFlags("", env.kubeconfig)
	Expect(err).NotTo(HaveOccurred(), "reading %s", env.kubeconfig)
	restConfig.Timeout = apiTimeout
	k8s, err = newClient(restConfig)
	Expect(err).NotTo(HaveOccurred())
	clientset, err = kubernetes.NewForConfig(restConfig)
	Expect(err).NotTo(HaveOccurred())

	By("checking that the node " + env.node + " exists and both FRRs answer")
	Expect(k8s.Get(ctx(), client.ObjectKey{Name: env.node}, &corev1.Node{})).To(Succeed())
	_, err = nodeFRR().run("show version")
	Expect(err).NotTo(HaveOccurred())
	_, err = peerFRR().run("show version")
	Expect(err).NotTo(HaveOccurred())
	removeLeftovers()
})

// newClient builds a client that knows the frr-k8s kinds and the core and
// RBAC kinds the specs create.
func newClient(cfg *rest.Config) (client.Client, error) {
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{corev1.AddToScheme, rbacv1.AddToScheme, v1beta1.AddToScheme} {
		if err := add(scheme); err != nil {
			return nil, err
		}
	}
	return client.New(cfg, client.Options{Scheme: scheme})
}
