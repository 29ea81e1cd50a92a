package controller

import (
	"context"
	"errors"
	"testing"

	"github.com/go-logr/logr"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
)

// logLevelConfig is <daemonNamespace>/config setting level.
func logLevelConfig(level string) *v1beta1.FRRK8sConfiguration {
	return &v1beta1.FRRK8sConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: FRRK8sConfigurationName, Namespace: daemonNamespace},
		Spec:       v1beta1.FRRK8sConfigurationSpec{LogLevel: level},
	}
}

func TestLogLevelReconciler(t *testing.T) {
	otherName := logLevelConfig("error")
	otherName.Name = "not-config"
	otherNamespace := logLevelConfig("error")
	otherNamespace.Namespace = "default"
	tests := []struct {
		name string
		objs []client.Object
		want string
	}{
		{"no object: the flag", nil, "warn"},
		{"object level", []client.Object{logLevelConfig("error")}, "error"},
		{"all means debug", []client.Object{logLevelConfig("all")}, "debug"},
		{"empty level: the flag", []client.Object{logLevelConfig("")}, "warn"},
		{"other names and namespaces do not count", []client.Object{otherName, otherNamespace}, "warn"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := fake.NewClientBuilder().WithScheme(NewScheme()).WithObjects(tc.objs...).Build()
			var got []string
			r := &LogLevelReconciler{
				Client: c, Namespace: daemonNamespace, DefaultLevel: "warn",
				SetLevel: func(level string) { got = append(got, level) },
				Logger:   logr.Discard(),
			}
			req := reconcile.Request{NamespacedName: types.NamespacedName{Namespace: daemonNamespace, Name: FRRK8sConfigurationName}}
			for range 2 {
				if _, err := r.Reconcile(context.Background(), req); err != nil {
					t.Fatal(err)
				}
			}
			if len(got) != 2 || got[0] != tc.want || got[1] != tc.want {
				t.Errorf("levels set = %v, want %q twice", got, tc.want)
			}
		})
	}
}

func TestLogLevelReconcilerReadError(t *testing.T) {
	c := fake.NewClientBuilder().WithScheme(NewScheme()).WithInterceptorFuncs(interceptor.Funcs{
		Get: func(context.Context, client.WithWatch, client.ObjectKey, client.Object, ...client.GetOption) error {
			return errors.New("boom")
		},
	}).Build()
	called := false
	r := &LogLevelReconciler{Client: c, Namespace: daemonNamespace, DefaultLevel: "info",
		SetLevel: func(string) { called = true }, Logger: logr.Discard()}
	if _, err := r.Reconcile(context.Background(), reconcile.Request{}); err == nil {
		t.Error("Reconcile succeeded on a read error")
	}
	if called {
		t.Error("SetLevel called on a read error")
	}
}
