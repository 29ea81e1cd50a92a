package frr

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/google/go-cmp/cmp"
	testingclock "k8s.io/utils/clock/testing"
)

// waitDeadline bounds every polling wait; generous on purpose.
const waitDeadline = 20 * time.Second

// waitFor polls cond until it holds, failing the test after waitDeadline.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitDeadline)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// reloadRecorder is a fake reload action that records configs and fails
// while errors are queued.
type reloadRecorder struct {
	mu      sync.Mutex
	configs []*Config
	errs    []error
}

func (r *reloadRecorder) reload(c *Config) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.configs = append(r.configs, c)
	if len(r.errs) == 0 {
		return nil
	}
	err := r.errs[0]
	r.errs = r.errs[1:]
	return err
}

func (r *reloadRecorder) failNext(errs ...error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, errs...)
}

func (r *reloadRecorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.configs)
}

func (r *reloadRecorder) first() *Config {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.configs[0]
}

func (r *reloadRecorder) last() *Config {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.configs[len(r.configs)-1]
}

const testDebounce = time.Second

// debounceFixture is a running debouncer on its own fake clock, so the
// clock's waiters are exactly the debouncer's armed timers.
type debounceFixture struct {
	t        *testing.T
	d        *debouncer
	clock    *testingclock.FakeClock
	reloads  *reloadRecorder
	cancel   context.CancelFunc
	finished chan struct{}
}

func newDebounceFixture(t *testing.T) *debounceFixture {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	f := &debounceFixture{
		t:        t,
		clock:    testingclock.NewFakeClock(time.Unix(1700000000, 0)),
		reloads:  &reloadRecorder{},
		cancel:   cancel,
		finished: make(chan struct{}),
	}
	f.d = newDebouncer(ctx, f.clock, testDebounce, f.reloads.reload, logr.Discard())
	go func() {
		defer close(f.finished)
		f.d.run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-f.finished
	})
	return f
}

// expectArmed checks, once every message was handled, how many timers are
// armed.
func (f *debounceFixture) expectArmed(want int) {
	f.t.Helper()
	f.d.sync()
	if got := f.clock.Waiters(); got != want {
		f.t.Fatalf("armed timers = %d, want %d", got, want)
	}
}

// expectReloads checks, once every message was handled, how many reloads
// ran.
func (f *debounceFixture) expectReloads(want int) {
	f.t.Helper()
	f.d.sync()
	if got := f.reloads.count(); got != want {
		f.t.Fatalf("reloads = %d, want %d", got, want)
	}
}

// step moves the clock once every message sent so far was handled, so
// the timers they arm start from the current time.
func (f *debounceFixture) step(d time.Duration) {
	f.d.sync()
	f.clock.Step(d)
}

// stepAndWaitReloads moves the clock and waits for the reload count.
func (f *debounceFixture) stepAndWaitReloads(d time.Duration, want int) {
	f.t.Helper()
	f.step(d)
	waitFor(f.t, "reloads", func() bool { return f.reloads.count() >= want })
	f.expectReloads(want)
}

func routerConfig(asn uint32) *Config {
	return &Config{LogLevel: "informational", Routers: []Router{{ASN: asn}}}
}

func TestDebouncerCoalescesABurst(t *testing.T) {
	f := newDebounceFixture(t)
	for asn := uint32(64512); asn < 64522; asn++ {
		f.d.apply(routerConfig(asn))
	}
	f.expectArmed(1)
	f.step(testDebounce - time.Millisecond)
	f.expectReloads(0)
	f.stepAndWaitReloads(time.Millisecond, 1)
	if diff := cmp.Diff(routerConfig(64521), f.reloads.last()); diff != "" {
		t.Errorf("the latest config must win (-want +got):\n%s", diff)
	}
	f.expectArmed(0)
}

func TestDebouncerNeverPushesBackAnArmedTimer(t *testing.T) {
	f := newDebounceFixture(t)
	f.d.apply(routerConfig(1))
	f.expectArmed(1)
	f.step(testDebounce / 2)
	f.d.apply(routerConfig(2))
	f.expectArmed(1)
	// The window still closes one interval after the first config.
	f.stepAndWaitReloads(testDebounce/2, 1)
	if got := f.reloads.last().Routers[0].ASN; got != 2 {
		t.Errorf("reloaded ASN %d, want the latest config's 2", got)
	}
	// A config after the window opens a new one.
	f.d.apply(routerConfig(3))
	f.expectArmed(1)
	f.stepAndWaitReloads(testDebounce, 2)
	f.expectArmed(0)
}

func TestDebouncerSkipsAnIdenticalConfig(t *testing.T) {
	f := newDebounceFixture(t)
	f.d.apply(routerConfig(1))
	f.stepAndWaitReloads(testDebounce, 1)

	f.d.apply(routerConfig(1)) // equal, not the same pointer
	f.expectArmed(0)

	f.d.apply(routerConfig(2))
	f.expectArmed(1)
	f.stepAndWaitReloads(testDebounce, 2)
}

func TestDebouncerRetriesAfterAnError(t *testing.T) {
	f := newDebounceFixture(t)
	f.reloads.failNext(errors.New("write: disk full"), errors.New("signal: no such process"))
	f.d.apply(routerConfig(1))
	f.stepAndWaitReloads(testDebounce, 1)
	f.expectArmed(1)

	f.step(RetryInterval - time.Millisecond)
	f.expectReloads(1)
	f.stepAndWaitReloads(time.Millisecond, 2) // fails again
	f.expectArmed(1)
	f.stepAndWaitReloads(RetryInterval, 3) // succeeds
	f.expectArmed(0)
	f.step(time.Hour)
	f.expectReloads(3)
}

func TestDebouncerRetryTakesTheLatestConfig(t *testing.T) {
	f := newDebounceFixture(t)
	f.reloads.failNext(errors.New("render: broken"))
	f.d.apply(routerConfig(1))
	f.stepAndWaitReloads(testDebounce, 1)

	// The retry timer is armed: a new config does not re-arm it.
	f.d.apply(routerConfig(2))
	f.expectArmed(1)
	f.stepAndWaitReloads(RetryInterval, 2)
	if got := f.reloads.last().Routers[0].ASN; got != 2 {
		t.Errorf("retry reloaded ASN %d, want 2", got)
	}
}

func TestDebouncerReuse(t *testing.T) {
	f := newDebounceFixture(t)
	f.d.reuse()
	f.expectArmed(0) // nothing stored yet

	f.d.apply(routerConfig(1))
	f.stepAndWaitReloads(testDebounce, 1)
	f.d.reuse()
	f.expectArmed(1)
	f.d.reuse()
	f.expectArmed(1)
	f.stepAndWaitReloads(testDebounce, 2)
	if diff := cmp.Diff(routerConfig(1), f.reloads.last()); diff != "" {
		t.Errorf("reuse must reload the stored config (-want +got):\n%s", diff)
	}
}

// reloadOnce applies a config and lets its reload run.
func (f *debounceFixture) reloadOnce(c *Config, want int) {
	f.t.Helper()
	f.d.apply(c)
	f.stepAndWaitReloads(testDebounce, want)
}

func TestDebouncerReusesThirtySecondsAfterAFailure(t *testing.T) {
	f := newDebounceFixture(t)
	f.reloadOnce(routerConfig(1), 1)

	f.d.statusObserved(true)
	f.expectArmed(1)
	f.step(FailureReuseDelay - time.Millisecond)
	f.expectArmed(1)
	f.step(time.Millisecond)
	// The reuse arms a debounce window.
	waitFor(t, "the reuse to arm the debounce timer", func() bool { return f.clock.Waiters() == 1 })
	f.stepAndWaitReloads(testDebounce, 2)
	if diff := cmp.Diff(routerConfig(1), f.reloads.last()); diff != "" {
		t.Errorf("reuse after failure must reload the stored config (-want +got):\n%s", diff)
	}
	f.expectArmed(0)
}

func TestDebouncerFailureReuseCancelledByANewerStatus(t *testing.T) {
	f := newDebounceFixture(t)
	f.reloadOnce(routerConfig(1), 1)

	f.d.statusObserved(true)
	f.d.statusObserved(false)
	f.expectArmed(0)
	f.step(FailureReuseDelay + testDebounce)
	f.expectReloads(1)

	// A newer failure restarts the delay.
	f.d.statusObserved(true)
	f.step(FailureReuseDelay / 2)
	f.d.statusObserved(true)
	f.step(FailureReuseDelay / 2)
	f.expectArmed(1)
	f.expectReloads(1)
	f.step(FailureReuseDelay / 2)
	waitFor(t, "the reuse to arm the debounce timer", func() bool { return f.clock.Waiters() == 1 })
	f.stepAndWaitReloads(testDebounce, 2)
}

func TestDebouncerFailureReuseCancelledByANewConfig(t *testing.T) {
	f := newDebounceFixture(t)
	f.reloadOnce(routerConfig(1), 1)

	f.d.statusObserved(true)
	f.d.apply(routerConfig(2))
	f.expectArmed(1) // the debounce window only
	f.stepAndWaitReloads(testDebounce, 2)
	f.step(FailureReuseDelay + testDebounce)
	f.expectReloads(2)
	f.expectArmed(0)
}

func TestDebouncerFailureReuseKeptByAnIdenticalConfig(t *testing.T) {
	f := newDebounceFixture(t)
	f.reloadOnce(routerConfig(1), 1)

	f.d.statusObserved(true)
	f.d.apply(routerConfig(1)) // skipped: no reload would retry
	f.expectArmed(1)
	f.step(FailureReuseDelay)
	waitFor(t, "the reuse to arm the debounce timer", func() bool { return f.clock.Waiters() == 1 })
	f.stepAndWaitReloads(testDebounce, 2)
}

func TestDebouncerFailureWithoutConfigDoesNothing(t *testing.T) {
	f := newDebounceFixture(t)
	f.d.statusObserved(true)
	f.expectArmed(1)
	f.step(FailureReuseDelay)
	waitFor(t, "the failure timer to fire", func() bool { return f.clock.Waiters() == 0 })
	f.expectArmed(0)
	f.expectReloads(0)
}

func TestDebouncerStopsWithItsContext(t *testing.T) {
	f := newDebounceFixture(t)
	f.d.apply(routerConfig(1))
	f.expectArmed(1)
	f.cancel()
	<-f.finished
	if got := f.clock.Waiters(); got != 0 {
		t.Errorf("timers left armed after stop: %d", got)
	}
	// Sends after the end return instead of blocking.
	f.d.apply(routerConfig(2))
	f.d.reuse()
	f.d.statusObserved(true)
	f.d.sync()
}
