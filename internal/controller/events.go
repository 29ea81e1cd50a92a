package controller

import (
	"context"

	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"
)

// Trigger asks a controller to reconcile its single key from outside the
// cluster (reload status publications, conversion-result changes). Fires
// that arrive while one is pending collapse into it, so Fire never blocks;
// the reconciler reads the latest state when it runs.
type Trigger struct {
	pending chan struct{}
}

// NewTrigger returns a trigger with nothing pending.
func NewTrigger() *Trigger {
	return &Trigger{pending: make(chan struct{}, 1)}
}

// Fire requests a reconcile. It is safe to call from any goroutine, also
// before the controller has started.
func (t *Trigger) Fire() {
	select {
	case t.pending <- struct{}{}:
	default:
	}
}

// Source returns a controller source that enqueues req on every Fire and,
// when initial is true, once at start.
func (t *Trigger) Source(req reconcile.Request, initial bool) source.Source {
	return source.Func(func(ctx context.Context, queue workqueue.TypedRateLimitingInterface[reconcile.Request]) error {
		if initial {
			queue.Add(req)
		}
		go t.forward(ctx, req, queue)
		return nil
	})
}

// forward turns pending fires into queue entries until ctx ends.
func (t *Trigger) forward(ctx context.Context, req reconcile.Request, queue workqueue.TypedRateLimitingInterface[reconcile.Request]) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.pending:
			queue.Add(req)
		}
	}
}
