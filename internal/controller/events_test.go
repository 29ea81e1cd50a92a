package controller

import (
	"context"
	"testing"

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

func TestTriggerCollapsesFires(t *testing.T) {
	tr := NewTrigger()
	for range 5 {
		tr.Fire() // never blocks, also before the source starts
	}
	if got := len(tr.pending); got != 1 {
		t.Errorf("pending fires = %d, want 1", got)
	}
}

func TestTriggerSourceEnqueuesAtStartAndOnFire(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	queue := workqueue.NewTypedRateLimitingQueue(workqueue.DefaultTypedControllerRateLimiter[reconcile.Request]())
	defer queue.ShutDown()
	req := reconcile.Request{NamespacedName: types.NamespacedName{Name: daemonNode}}
	tr := NewTrigger()
	if err := tr.Source(req, true).Start(ctx, queue); err != nil {
		t.Fatal(err)
	}
	next := func() reconcile.Request {
		t.Helper()
		got, shutdown := queue.Get()
		if shutdown {
			t.Fatal("queue shut down")
		}
		queue.Done(got)
		return got
	}
	if got := next(); got != req {
		t.Errorf("initial request = %v, want %v", got, req)
	}
	tr.Fire()
	if got := next(); got != req {
		t.Errorf("request after Fire = %v, want %v", got, req)
	}
	if n := queue.Len(); n != 0 {
		t.Errorf("%d requests still queued, want none", n)
	}
}
