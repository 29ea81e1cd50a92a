package webhooks

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/go-logr/logr"
	"github.com/google/go-cmp/cmp"
	admissionv1 "k8s.io/api/admission/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
)

// staticLister serves fixed objects, or fails.
type staticLister struct {
	nodes             []Node
	configs           []*v1beta1.FRRConfiguration
	nodesErr, cfgsErr error
	calls             int
}

func (l *staticLister) ListNodes(context.Context) ([]Node, error) {
	l.calls++
	return l.nodes, l.nodesErr
}

func (l *staticLister) ListConfigs(context.Context) ([]*v1beta1.FRRConfiguration, error) {
	l.calls++
	return l.configs, l.cfgsErr
}

// request builds an admission request carrying obj.
func request(t *testing.T, op admissionv1.Operation, obj runtime.Object) admission.Request {
	t.Helper()
	raw, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	req := admission.Request{}
	req.Operation = op
	req.Object = runtime.RawExtension{Raw: raw}
	return req
}

// response is the part of an admission response the tests compare.
type response struct {
	Allowed  bool
	Code     int32
	Message  string
	Warnings []string
}

func summary(r admission.Response) response {
	res := response{Allowed: r.Allowed, Warnings: r.Warnings}
	if r.Result != nil {
		res.Code, res.Message = r.Result.Code, r.Result.Message
	}
	return res
}

func TestHandle(t *testing.T) {
	existing := cfg(t, "a", neighborSpec("", "192.0.2.1", "port: 1179"))
	conflicting := cfg(t, "b", neighborSpec("", "192.0.2.1", ""))
	compatible := cfg(t, "c", neighborSpec("", "192.0.2.2", "disableMP: true"))
	badSelector := cfg(t, "d", "nodeSelector: {matchExpressions: [{key: zone, operator: Bad}]}\n")
	listErr := errors.New("cache is gone")

	tests := []struct {
		name      string
		lister    *staticLister
		req       admission.Request
		want      response
		wantCalls int
	}{
		{
			name:      "create denied",
			lister:    &staticLister{nodes: testNodes, configs: []*v1beta1.FRRConfiguration{existing}},
			req:       request(t, admissionv1.Create, conflicting),
			want:      response{Code: http.StatusForbidden, Message: onNode(conflict("multiple ports specified for 192.0.2.1", "port", "1179", "a", "unset (default 179)", "b"), "node-a")},
			wantCalls: 2,
		},
		{
			name:      "update allowed with a warning",
			lister:    &staticLister{nodes: testNodes, configs: []*v1beta1.FRRConfiguration{existing}},
			req:       request(t, admissionv1.Update, compatible),
			want:      response{Allowed: true, Code: http.StatusOK, Warnings: []string{DisableMPWarning}},
			wantCalls: 2,
		},
		{
			name:   "delete allowed without looking",
			lister: &staticLister{},
			req:    admission.Request{AdmissionRequest: admissionv1.AdmissionRequest{Operation: admissionv1.Delete}},
			want:   response{Allowed: true, Code: http.StatusOK},
		},
		{
			name:   "undecodable object",
			lister: &staticLister{},
			req:    admission.Request{AdmissionRequest: admissionv1.AdmissionRequest{Operation: admissionv1.Create, Object: runtime.RawExtension{Raw: []byte(`{"spec": 3}`)}}},
			want: response{Code: http.StatusBadRequest,
				Message: "json: cannot unmarshal number into Go struct field FRRConfiguration.spec of type v1beta1.FRRConfigurationSpec"},
		},
		{
			name:   "invalid selector before any cache read",
			lister: &staticLister{nodesErr: listErr},
			req:    request(t, admissionv1.Create, badSelector),
			want:   response{Code: http.StatusForbidden, Message: "\"Bad\" is not a valid label selector operator\nresource contains an invalid NodeSelector"},
		},
		{
			name:      "node cache error",
			lister:    &staticLister{nodesErr: errors.Join(listErr, errors.New("failed to get existing Node objects"))},
			req:       request(t, admissionv1.Create, compatible),
			want:      response{Code: http.StatusForbidden, Message: "cache is gone\nfailed to get existing Node objects"},
			wantCalls: 1,
		},
		{
			name:      "config cache error",
			lister:    &staticLister{nodes: testNodes, cfgsErr: errors.Join(listErr, errors.New("failed to get existing FRRConfiguration objects"))},
			req:       request(t, admissionv1.Create, compatible),
			want:      response{Code: http.StatusForbidden, Message: "cache is gone\nfailed to get existing FRRConfiguration objects"},
			wantCalls: 2,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := NewHandler(scheme.Scheme, tc.lister, logr.Discard())
			got := summary(h.Handle(context.Background(), tc.req))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("response (-want +got):\n%s", diff)
			}
			if tc.lister.calls != tc.wantCalls {
				t.Errorf("%d cache reads, want %d", tc.lister.calls, tc.wantCalls)
			}
		})
	}
}

func TestHealthHandler(t *testing.T) {
	tests := []struct {
		method   string
		wantCode int
		wantBody string
		wantType string
	}{
		{method: http.MethodGet, wantCode: http.StatusOK, wantBody: `{"status": "ok"}`, wantType: "application/json"},
		{method: http.MethodPost, wantCode: http.StatusMethodNotAllowed, wantBody: "Method not allowed\n", wantType: "text/plain; charset=utf-8"},
		{method: http.MethodHead, wantCode: http.StatusMethodNotAllowed, wantBody: "Method not allowed\n", wantType: "text/plain; charset=utf-8"},
	}
	for _, tc := range tests {
		t.Run(tc.method, func(t *testing.T) {
			rec := httptest.NewRecorder()
			HealthHandler{}.ServeHTTP(rec, httptest.NewRequest(tc.method, HealthPath, nil))
			got := []any{rec.Code, rec.Body.String(), rec.Header().Get("Content-Type")}
			want := []any{tc.wantCode, tc.wantBody, tc.wantType}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
