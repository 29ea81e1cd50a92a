package frr

import (
	"context"
	"reflect"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/utils/clock"
)

// Timings of the debouncer (spec/daemon.md §4, §5).
const (
	// DefaultDebounce is the debounce window when Options.Debounce is not
	// positive (the --bgp-debounce-timeout default).
	DefaultDebounce = 3 * time.Second
	// RetryInterval is how long the debouncer waits before retrying a
	// failed render, write or signal.
	RetryInterval = 5 * time.Second
	// FailureReuseDelay is how long after the reloader reports a failure
	// the stored config is handed to the reloader again (D3).
	FailureReuseDelay = 30 * time.Second
)

// reloadFunc renders, writes and signals one config.
type reloadFunc func(*Config) error

// debouncer coalesces configs into at most one reload per window. All its
// state lives in the goroutine of run; the methods only send it messages.
type debouncer struct {
	clock    clock.Clock
	interval time.Duration
	reload   reloadFunc
	log      logr.Logger

	done     <-chan struct{}
	applyCh  chan *Config
	reuseCh  chan struct{}
	statusCh chan bool
	syncCh   chan struct{}
}

func newDebouncer(ctx context.Context, clk clock.Clock, interval time.Duration, reload reloadFunc, log logr.Logger) *debouncer {
	return &debouncer{
		clock:    clk,
		interval: interval,
		reload:   reload,
		log:      log,
		done:     ctx.Done(),
		applyCh:  make(chan *Config),
		reuseCh:  make(chan struct{}),
		statusCh: make(chan bool),
		syncCh:   make(chan struct{}),
	}
}

// apply hands c to the debouncer, which owns it from now on. A config equal
// to the stored one is ignored; any other is stored and reloaded when the
// window closes, the latest one winning.
func (d *debouncer) apply(c *Config) {
	send(d.done, d.applyCh, c)
}

// reuse reloads the stored config again at the end of a window, if any
// config was stored.
func (d *debouncer) reuse() {
	send(d.done, d.reuseCh, struct{}{})
}

// statusObserved reports a new reload status: a failure schedules reuse
// after FailureReuseDelay; any new status, or a new config, cancels the
// schedule of an older failure.
func (d *debouncer) statusObserved(failed bool) {
	send(d.done, d.statusCh, failed)
}

// sync returns once every message sent before it has been handled.
func (d *debouncer) sync() {
	send(d.done, d.syncCh, struct{}{})
}

// send delivers v on ch unless done is closed first.
func send[T any](done <-chan struct{}, ch chan<- T, v T) {
	select {
	case ch <- v:
	case <-done:
	}
}

// debounceState is what the goroutine of run owns.
type debounceState struct {
	stored  *Config
	reload  oneShot // armed while a reload is due
	failure oneShot // armed while a reuse after a failure is due
}

// run handles messages and timers until ctx ends.
func (d *debouncer) run(ctx context.Context) {
	s := debounceState{reload: oneShot{clock: d.clock}, failure: oneShot{clock: d.clock}}
	defer s.reload.stop()
	defer s.failure.stop()
	for {
		select {
		case <-ctx.Done():
			return
		case c := <-d.applyCh:
			d.handleApply(&s, c)
		case <-d.reuseCh:
			d.handleReuse(&s)
		case failed := <-d.statusCh:
			d.handleStatus(&s, failed)
		case <-s.reload.C():
			s.reload.fired()
			d.handleReload(&s)
		case <-s.failure.C():
			s.failure.fired()
			d.log.V(1).Info("reusing the frr config after a reload failure")
			d.handleReuse(&s)
		case <-d.syncCh:
		}
	}
}

func (d *debouncer) handleApply(s *debounceState, c *Config) {
	if s.stored != nil && reflect.DeepEqual(s.stored, c) {
		d.log.V(1).Info("frr config unchanged, skipping")
		return
	}
	s.stored = c
	s.failure.stop()
	d.armOnce(s, d.interval)
}

func (d *debouncer) handleReuse(s *debounceState) {
	if s.stored == nil {
		return
	}
	d.armOnce(s, d.interval)
}

func (d *debouncer) handleStatus(s *debounceState, failed bool) {
	s.failure.stop()
	if failed {
		s.failure.arm(FailureReuseDelay)
	}
}

func (d *debouncer) handleReload(s *debounceState) {
	if err := d.reload(s.stored); err != nil {
		d.log.Error(err, "failed to hand the frr config to the reloader, retrying", "retryIn", RetryInterval)
		s.reload.arm(RetryInterval)
		return
	}
	d.log.Info("frr config handed to the reloader")
}

// armOnce arms the reload timer unless it is armed already: an armed timer
// is never pushed back, so a stream of configs still reloads once a window.
func (d *debouncer) armOnce(s *debounceState, after time.Duration) {
	if !s.reload.armed() {
		s.reload.arm(after)
	}
}

// oneShot is a timer that is either armed or not.
type oneShot struct {
	clock clock.Clock
	timer clock.Timer
}

func (o *oneShot) armed() bool {
	return o.timer != nil
}

// arm (re)starts the timer to fire after d.
func (o *oneShot) arm(d time.Duration) {
	o.stop()
	o.timer = o.clock.NewTimer(d)
}

// stop disarms the timer.
func (o *oneShot) stop() {
	if o.timer != nil {
		o.timer.Stop()
		o.timer = nil
	}
}

// fired marks the timer as no longer armed once its value was received.
func (o *oneShot) fired() {
	o.timer = nil
}

// C is the timer's channel, nil (never ready) when unarmed.
func (o *oneShot) C() <-chan time.Time {
	if o.timer == nil {
		return nil
	}
	return o.timer.C()
}
