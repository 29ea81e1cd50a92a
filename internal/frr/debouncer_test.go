package frr

import (
	"context"
	"errors"
	"fmt"
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
// while errors are queued. Each successful hand-off signals pid and finds
// .status with a stamp of its own ("before-<n>").
type reloadRecorder struct {
	mu      sync.Mutex
	configs []*Config
	errs    []error
	pid     int
}

func (r *reloadRecorder) reload(c *Config) (handOffReceipt, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.configs = append(r.configs, c)
	if len(r.errs) == 0 {
		return handOffReceipt{pid: r.pid, before: statusStamp{raw: fmt.Sprintf("before-%d", len(r.configs))}}, nil
	}
	err := r.errs[0]
	r.errs = r.errs[1:]
	return handOffReceipt{}, err
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

func (r *reloadRecorder) setPID(pid int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pid = pid
}

// lastBefore is the stamp the last hand-off found.
func (r *reloadRecorder) lastBefore() statusStamp {
	r.mu.Lock()
	defer r.mu.Unlock()
	return statusStamp{raw: fmt.Sprintf("before-%d", len(r.configs))}
}

const (
	testDebounce    = time.Second
	testLostTimeout = time.Minute
)

// debounceFixture is a running debouncer on its own fake clock, so the
// clock's waiters are exactly the debouncer's armed timers: the hand-off
// timer, the failure-reuse timer and the lost-reload timer (armed after
// every successful hand-off until its status arrives).
type debounceFixture struct {
	t        *testing.T
	d        *debouncer
	clock    *testingclock.FakeClock
	reloads  *reloadRecorder
	cancel   context.CancelFunc
	finished chan struct{}
	answers  int
}

func newDebounceFixture(t *testing.T) *debounceFixture {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	f := &debounceFixture{
		t:        t,
		clock:    testingclock.NewFakeClock(time.Unix(1700000000, 0)),
		reloads:  &reloadRecorder{pid: 100},
		cancel:   cancel,
		finished: make(chan struct{}),
	}
	f.d = newDebouncer(ctx, f.clock, testDebounce, testLostTimeout, f.reloads.reload, logr.Discard())
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

// answer reports a new write of .status, as the reloader's answer to the
// last hand-off.
func (f *debounceFixture) answer(failed bool) {
	f.answers++
	f.d.statusObserved(statusObservation{failed: failed, stamp: statusStamp{raw: fmt.Sprintf("answer-%d", f.answers)}})
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

func TestDebouncerHandsAnIsolatedChangeOffAtOnce(t *testing.T) {
	f := newDebounceFixture(t)
	f.d.apply(routerConfig(1))
	f.expectReloads(1)
	f.expectArmed(1) // the lost-reload timer only
	f.answer(false)
	f.expectArmed(0)

	// Long after the window, the next change goes at once too.
	f.step(time.Hour)
	f.d.apply(routerConfig(2))
	f.expectReloads(2)
	if got := f.reloads.last().Routers[0].ASN; got != 2 {
		t.Errorf("handed off ASN %d, want 2", got)
	}
}

func TestDebouncerCoalescesABurst(t *testing.T) {
	f := newDebounceFixture(t)
	for asn := uint32(64512); asn < 64522; asn++ {
		f.d.apply(routerConfig(asn))
	}
	// The first config went at once; the others wait for the window.
	f.expectReloads(1)
	if got := f.reloads.first().Routers[0].ASN; got != 64512 {
		t.Errorf("leading hand-off of ASN %d, want the first config's 64512", got)
	}
	f.expectArmed(2) // the trailing hand-off and the lost-reload timer
	f.step(testDebounce - time.Millisecond)
	f.expectReloads(1)
	f.stepAndWaitReloads(time.Millisecond, 2)
	if diff := cmp.Diff(routerConfig(64521), f.reloads.last()); diff != "" {
		t.Errorf("the latest config must win (-want +got):\n%s", diff)
	}
	f.answer(false)
	f.expectArmed(0)
}

func TestDebouncerHandOffsStayAWindowApart(t *testing.T) {
	f := newDebounceFixture(t)
	f.d.apply(routerConfig(1)) // at t0, at once
	f.expectReloads(1)
	f.step(testDebounce / 2)
	f.d.apply(routerConfig(2))
	f.step(testDebounce / 4)
	f.d.apply(routerConfig(3)) // the armed timer is not moved
	// The window closes one interval after the first hand-off.
	f.step(testDebounce/4 - time.Millisecond)
	f.expectReloads(1)
	f.stepAndWaitReloads(time.Millisecond, 2)
	if got := f.reloads.last().Routers[0].ASN; got != 3 {
		t.Errorf("trailing hand-off of ASN %d, want the latest config's 3", got)
	}
	// A change right after the trailing hand-off waits a whole window.
	f.d.apply(routerConfig(4))
	f.step(testDebounce - time.Millisecond)
	f.expectReloads(2)
	f.stepAndWaitReloads(time.Millisecond, 3)
	// A change a window after the last hand-off goes at once.
	f.step(testDebounce)
	f.d.apply(routerConfig(5))
	f.expectReloads(4)
}

func TestDebouncerSkipsAnIdenticalConfig(t *testing.T) {
	f := newDebounceFixture(t)
	f.d.apply(routerConfig(1))
	f.expectReloads(1)
	f.answer(false)

	f.d.apply(routerConfig(1)) // equal, not the same pointer
	f.expectArmed(0)
	f.step(time.Hour)
	f.d.apply(routerConfig(1))
	f.expectReloads(1)

	f.d.apply(routerConfig(2))
	f.expectReloads(2)
}

func TestDebouncerRetriesAfterAnError(t *testing.T) {
	f := newDebounceFixture(t)
	f.reloads.failNext(errors.New("write: disk full"), errors.New("signal: no such process"))
	f.d.apply(routerConfig(1))
	f.expectReloads(1)
	f.expectArmed(1) // the retry; no lost-reload timer without a hand-off

	f.step(RetryInterval - time.Millisecond)
	f.expectReloads(1)
	f.stepAndWaitReloads(time.Millisecond, 2) // fails again
	f.expectArmed(1)
	f.stepAndWaitReloads(RetryInterval, 3) // succeeds
	f.answer(false)
	f.expectArmed(0)
	f.step(time.Hour)
	f.expectReloads(3)
}

func TestDebouncerRetryTakesTheLatestConfig(t *testing.T) {
	f := newDebounceFixture(t)
	f.reloads.failNext(errors.New("render: broken"))
	f.d.apply(routerConfig(1))
	f.expectReloads(1)

	// The retry timer is armed: a new config does not re-arm it.
	f.step(testDebounce * 2)
	f.d.apply(routerConfig(2))
	f.expectReloads(1)
	f.expectArmed(1)
	f.stepAndWaitReloads(RetryInterval-2*testDebounce, 2)
	if got := f.reloads.last().Routers[0].ASN; got != 2 {
		t.Errorf("retry reloaded ASN %d, want 2", got)
	}
}

func TestDebouncerReuse(t *testing.T) {
	f := newDebounceFixture(t)
	f.d.reuse()
	f.expectArmed(0) // nothing stored yet

	f.d.apply(routerConfig(1))
	f.expectReloads(1)
	f.answer(false)
	// Within the window: at its end.
	f.d.reuse()
	f.expectArmed(1)
	f.d.reuse()
	f.expectArmed(1)
	f.stepAndWaitReloads(testDebounce, 2)
	if diff := cmp.Diff(routerConfig(1), f.reloads.last()); diff != "" {
		t.Errorf("reuse must reload the stored config (-want +got):\n%s", diff)
	}
	f.answer(false)
	// After the window: at once.
	f.step(testDebounce)
	f.d.reuse()
	f.expectReloads(3)
}

// reloadOnce applies a config, lets its hand-off run and answers it.
func (f *debounceFixture) reloadOnce(c *Config, want int) {
	f.t.Helper()
	f.d.apply(c)
	f.expectReloads(want)
	f.answer(false)
	f.step(testDebounce)
}

func TestDebouncerReusesThirtySecondsAfterAFailure(t *testing.T) {
	f := newDebounceFixture(t)
	f.reloadOnce(routerConfig(1), 1)

	f.answer(true)
	f.expectArmed(1)
	f.step(FailureReuseDelay - time.Millisecond)
	f.expectArmed(1)
	// The window is long closed: the reuse hands off at once.
	f.stepAndWaitReloads(time.Millisecond, 2)
	if diff := cmp.Diff(routerConfig(1), f.reloads.last()); diff != "" {
		t.Errorf("reuse after failure must reload the stored config (-want +got):\n%s", diff)
	}
	f.answer(false)
	f.expectArmed(0)
}

func TestDebouncerFailureReuseCancelledByANewerStatus(t *testing.T) {
	f := newDebounceFixture(t)
	f.reloadOnce(routerConfig(1), 1)

	f.answer(true)
	f.answer(false)
	f.expectArmed(0)
	f.step(FailureReuseDelay + testDebounce)
	f.expectReloads(1)

	// A newer failure restarts the delay.
	f.answer(true)
	f.step(FailureReuseDelay / 2)
	f.answer(true)
	f.step(FailureReuseDelay / 2)
	f.expectArmed(1)
	f.expectReloads(1)
	f.stepAndWaitReloads(FailureReuseDelay/2, 2)
}

func TestDebouncerFailureReuseCancelledByANewConfig(t *testing.T) {
	f := newDebounceFixture(t)
	f.reloadOnce(routerConfig(1), 1)

	f.answer(true)
	f.d.apply(routerConfig(2))
	f.expectReloads(2)
	f.answer(false)
	f.expectArmed(0)
	f.step(FailureReuseDelay + testDebounce)
	f.expectReloads(2)
}

func TestDebouncerFailureReuseKeptByAnIdenticalConfig(t *testing.T) {
	f := newDebounceFixture(t)
	f.reloadOnce(routerConfig(1), 1)

	f.answer(true)
	f.d.apply(routerConfig(1)) // skipped: no reload would retry
	f.expectArmed(1)
	f.stepAndWaitReloads(FailureReuseDelay, 2)
}

func TestDebouncerFailureWithoutConfigDoesNothing(t *testing.T) {
	f := newDebounceFixture(t)
	f.answer(true)
	f.expectArmed(1)
	f.step(FailureReuseDelay)
	waitFor(t, "the failure timer to fire", func() bool { return f.clock.Waiters() == 0 })
	f.expectArmed(0)
	f.expectReloads(0)
}

func TestDebouncerResendsALostReload(t *testing.T) {
	f := newDebounceFixture(t)
	f.d.apply(routerConfig(1))
	f.expectReloads(1)
	f.step(testLostTimeout - time.Millisecond)
	f.expectReloads(1)
	f.stepAndWaitReloads(time.Millisecond, 2)
	if diff := cmp.Diff(routerConfig(1), f.reloads.last()); diff != "" {
		t.Errorf("the re-sent config (-want +got):\n%s", diff)
	}
	// Answered now: nothing more.
	f.answer(false)
	f.expectArmed(0)
	f.step(time.Hour)
	f.expectReloads(2)
}

func TestDebouncerLostReloadBacksOff(t *testing.T) {
	f := newDebounceFixture(t)
	f.d.apply(routerConfig(1))
	f.expectReloads(1)
	// Never answered: each wait is twice the one before, up to the cap.
	waited, want := testLostTimeout, 1
	for range 6 {
		f.step(waited - time.Millisecond)
		f.expectReloads(want)
		want++
		f.stepAndWaitReloads(time.Millisecond, want)
		waited = min(2*waited, maxLostReloadBackoff*testLostTimeout)
	}
	// An answer restores the initial timeout for the next hand-off.
	f.answer(false)
	f.step(testDebounce)
	f.d.apply(routerConfig(2))
	f.expectReloads(want + 1)
	f.stepAndWaitReloads(testLostTimeout, want+2)
}

func TestDebouncerLostReloadNotAnsweredByAnOlderStatus(t *testing.T) {
	f := newDebounceFixture(t)
	f.d.apply(routerConfig(1))
	f.expectReloads(1)
	// A write of .status from before the hand-off, reported late, is
	// not its answer.
	f.d.statusObserved(statusObservation{stamp: f.reloads.lastBefore()})
	f.expectArmed(1)
	f.stepAndWaitReloads(testLostTimeout, 2)
}

func TestDebouncerLostReloadCancelledByANewerHandOff(t *testing.T) {
	f := newDebounceFixture(t)
	f.d.apply(routerConfig(1))
	f.step(testLostTimeout / 2)
	f.d.apply(routerConfig(2)) // at once: the window is long closed
	f.expectReloads(2)
	// The lost-reload timer restarted with the newer hand-off.
	f.step(testLostTimeout/2 + time.Millisecond)
	f.expectReloads(2)
	f.stepAndWaitReloads(testLostTimeout/2, 3)
	if got := f.reloads.last().Routers[0].ASN; got != 2 {
		t.Errorf("re-sent ASN %d, want the latest config's 2", got)
	}
}

func TestDebouncerResendsWhenTheReloaderRestarts(t *testing.T) {
	f := newDebounceFixture(t)
	f.d.reloaderStarted(100) // the pid of the reloader at start
	f.d.apply(routerConfig(1))
	f.expectReloads(1)
	f.d.reloaderStarted(100) // the same reloader: nothing
	f.expectReloads(1)

	// A new reloader before the answer: at once, the window being over.
	f.step(testDebounce)
	f.reloads.setPID(200)
	f.d.reloaderStarted(200)
	f.expectReloads(2)
	if diff := cmp.Diff(routerConfig(1), f.reloads.last()); diff != "" {
		t.Errorf("the re-sent config (-want +got):\n%s", diff)
	}
	// The new reloader answers; a later restart does not re-send.
	f.answer(false)
	f.d.reloaderStarted(300)
	f.expectReloads(2)
	f.expectArmed(0)
}

func TestDebouncerRestartWithinTheWindowWaitsForIt(t *testing.T) {
	f := newDebounceFixture(t)
	f.d.apply(routerConfig(1))
	f.expectReloads(1)
	f.d.reloaderStarted(200)
	f.expectReloads(1)
	f.stepAndWaitReloads(testDebounce, 2)
}

func TestDebouncerStopsWithItsContext(t *testing.T) {
	f := newDebounceFixture(t)
	f.d.apply(routerConfig(1))
	f.d.apply(routerConfig(2))
	f.expectArmed(2)
	f.cancel()
	<-f.finished
	if got := f.clock.Waiters(); got != 0 {
		t.Errorf("timers left armed after stop: %d", got)
	}
	// Sends after the end return instead of blocking.
	f.d.apply(routerConfig(3))
	f.d.reuse()
	f.d.statusObserved(statusObservation{failed: true})
	f.d.reloaderStarted(1)
	f.d.sync()
}
