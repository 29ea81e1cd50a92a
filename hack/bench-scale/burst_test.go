//go:build benchscale

package benchscale

import (
	"context"
	"errors"
	"sync"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"
)

// op is one write of a burst. Own ops change a config of the measured node;
// they run in order on one goroutine so their sequence numbers reach the
// API server in order.
type op struct {
	own bool
	run func(context.Context) error
}

// sentUpdate is an own update: its marker and when it was sent.
type sentUpdate struct {
	seq    int64
	sentAt time.Time
}

// burst builds the writes of one phase.
type burst struct {
	c   *cluster
	cl  client.Client
	own int // the measured node

	mu   sync.Mutex
	sent []sentUpdate
	gen  int
}

func newBurst(c *cluster, cl client.Client, own int) *burst {
	return &burst{c: c, cl: cl, own: own}
}

// otherNode returns the k-th node that is neither the measured one nor in
// its rack, so none of its configs selects the measured node.
func (b *burst) otherNode(k int) int {
	for i := k; ; i++ {
		n := (i*7 + 13) % b.c.nodes
		if n != b.own && b.c.rackOf(n) != b.c.rackOf(b.own) {
			return n
		}
	}
}

// otherRackConfig returns the rack and slot of a rack config, chosen by k,
// whose rack is not the measured node's.
func (b *burst) otherRackConfig(k int) (rack, slot int, ok bool) {
	n := b.c.rackConfigs()
	for i := range n {
		rack, slot = b.c.rackSlot((k*31 + i) % n)
		if rack != b.c.rackOf(b.own) {
			return rack, slot, true
		}
	}
	return 0, 0, false
}

// otherConfigUpdate rewrites a config that does not select the measured
// node: mostly other nodes' MetalLB configs, every fifth one a config of
// another rack.
func (b *burst) otherConfigUpdate(k int) op {
	return op{run: func(ctx context.Context) error {
		if k%5 == 4 {
			if rack, slot, ok := b.otherRackConfig(k); ok {
				return patchConfig(ctx, b.cl, rackConfigName(rack, slot), rackRouter(rack, slot, b.c.nextSeq()))
			}
		}
		n := b.otherNode(k)
		return patchConfig(ctx, b.cl, metallbName(n), metallbRouter(n, b.c.nextSeq()))
	}}
}

// otherNodeUpdate changes a label of another node.
func (b *burst) otherNodeUpdate(k int) op {
	return op{run: func(ctx context.Context) error {
		return labelNode(ctx, b.cl, b.otherNode(k), b.nextGen())
	}}
}

// otherSecretUpdate rotates the password of another node's Secret.
func (b *burst) otherSecretUpdate(k int) op {
	return op{run: func(ctx context.Context) error {
		n := b.otherNode(k)
		n -= n % 2 // only even nodes have a Secret
		if n == b.own {
			n = (n + 2) % b.c.nodes
		}
		return rotateSecret(ctx, b.cl, nodeSecretName(n), b.nextGen())
	}}
}

// ownUpdate rewrites the measured node's MetalLB config with a new marker
// and records when it was sent.
func (b *burst) ownUpdate() op {
	return op{own: true, run: func(ctx context.Context) error {
		seq := b.c.nextSeq()
		r := metallbRouter(b.own, seq)
		b.mu.Lock()
		b.sent = append(b.sent, sentUpdate{seq: seq, sentAt: time.Now()})
		b.mu.Unlock()
		return patchConfig(ctx, b.cl, metallbName(b.own), r)
	}}
}

func (b *burst) nextGen() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.gen++
	return b.gen
}

// ownSent returns the own updates sent so far.
func (b *burst) ownSent() []sentUpdate {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]sentUpdate(nil), b.sent...)
}

// unrelatedOps are writes that cannot change the measured node's config.
func (b *burst) unrelatedOps(configs, nodes, secrets int) []op {
	var ops []op
	for k := range max(configs, nodes, secrets) {
		if k < configs {
			ops = append(ops, b.otherConfigUpdate(k))
		}
		if k < nodes {
			ops = append(ops, b.otherNodeUpdate(k))
		}
		if k < secrets {
			ops = append(ops, b.otherSecretUpdate(k))
		}
	}
	return ops
}

// mixedOps interleaves others updates of other nodes' configs with own
// updates of the measured node's config, evenly.
func (b *burst) mixedOps(others, own int) []op {
	ops := make([]op, 0, others+own)
	for k := range others + own {
		// Own update number j goes at position round((j+1)*(total)/(own)) - 1.
		if own > 0 && (k+1)*own/(others+own) > k*own/(others+own) {
			ops = append(ops, b.ownUpdate())
			continue
		}
		ops = append(ops, b.otherConfigUpdate(1000+k))
	}
	return ops
}

// runOps sends ops at rate per second (0: as fast as workers allow), the
// own ones in order on one goroutine, and returns when all are done.
func runOps(ctx context.Context, ops []op, rate float64, workers int) error {
	own := make(chan op, len(ops))
	others := make(chan op, len(ops))
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	worker := func(ch <-chan op) {
		defer wg.Done()
		for o := range ch {
			if err := o.run(ctx); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}
	}
	wg.Add(1 + workers)
	go worker(own)
	for range workers {
		go worker(others)
	}
	var tick <-chan time.Time
	if rate > 0 {
		t := time.NewTicker(time.Duration(float64(time.Second) / rate))
		defer t.Stop()
		tick = t.C
	}
	for _, o := range ops {
		if tick != nil {
			select {
			case <-tick:
			case <-ctx.Done():
			}
		}
		if o.own {
			own <- o
		} else {
			others <- o
		}
	}
	close(own)
	close(others)
	wg.Wait()
	return errors.Join(errs...)
}
