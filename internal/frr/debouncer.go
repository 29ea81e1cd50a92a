package frr

import (
	"context"
	"reflect"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/utils/clock"
)

// Timings of the debouncer.
const (
	// DefaultDebounce is the debounce window when Options.Debounce is not
	// positive (the --bgp-debounce-timeout default).
	DefaultDebounce = 3 * time.Second
	// RetryInterval is how long the debouncer waits before retrying a
	// failed render, write or signal.
	RetryInterval = 5 * time.Second
	// FailureReuseDelay is how long after the reloader reports a failure
	// the stored config is handed to the reloader again.
	FailureReuseDelay = 30 * time.Second
	// DefaultLostReloadTimeout is how long a hand-off may go without a new
	// write of .status before it is taken as lost and sent again, when
	// Options.LostReloadTimeout is not positive. A full reload of a large
	// config on FRR 8.4 can take minutes: a re-send then only queues one
	// more reload behind it, and each further re-send of the same hand-off
	// waits twice as long as the one before (up to maxLostReloadBackoff
	// times the timeout).
	DefaultLostReloadTimeout = 2 * time.Minute
	// maxLostReloadBackoff caps the doubling of the lost-reload timeout.
	maxLostReloadBackoff = 8
)

// handOffReceipt is what a successful hand-off did: the pid it signalled
// and the stamp of .status just before it wrote the config.
type handOffReceipt struct {
	pid    int
	before statusStamp
}

// reloadFunc renders, writes and signals one config.
type reloadFunc func(*Config) (handOffReceipt, error)

// debouncer decides when configs are handed to the reloader. An isolated
// change goes at once (leading edge); changes arriving within the window
// after a hand-off coalesce into one hand-off when the window closes
// (trailing edge, the latest config winning), so hand-offs are always at
// least one window apart. A hand-off that the reloader does not answer
// with a new write of .status within the lost-reload timeout, or whose
// reloader is replaced by a new process before it answers, is sent again.
// All its state lives in the goroutine of run; the methods only send it
// messages.
type debouncer struct {
	clock       clock.Clock
	interval    time.Duration
	lostTimeout time.Duration
	reload      reloadFunc
	log         logr.Logger

	done     <-chan struct{}
	applyCh  chan *Config
	reuseCh  chan struct{}
	statusCh chan statusObservation
	pidCh    chan int
	syncCh   chan struct{}
}

func newDebouncer(ctx context.Context, clk clock.Clock, interval, lostTimeout time.Duration, reload reloadFunc, log logr.Logger) *debouncer {
	return &debouncer{
		clock:       clk,
		interval:    interval,
		lostTimeout: lostTimeout,
		reload:      reload,
		log:         log,
		done:        ctx.Done(),
		applyCh:     make(chan *Config),
		reuseCh:     make(chan struct{}),
		statusCh:    make(chan statusObservation),
		pidCh:       make(chan int),
		syncCh:      make(chan struct{}),
	}
}

// apply hands c to the debouncer, which owns it from now on. A config equal
// to the stored one is ignored; any other is stored and handed off at once
// when the last hand-off is at least a window old, else when the window
// closes, the latest one winning.
func (d *debouncer) apply(c *Config) {
	send(d.done, d.applyCh, c)
}

// reuse hands the stored config off again, as soon as the window allows,
// if any config was stored.
func (d *debouncer) reuse() {
	send(d.done, d.reuseCh, struct{}{})
}

// statusObserved reports a new write of .status: it answers a pending
// hand-off; a failure schedules reuse after FailureReuseDelay; any new
// status, or a new config, cancels the schedule of an older failure.
func (d *debouncer) statusObserved(o statusObservation) {
	send(d.done, d.statusCh, o)
}

// reloaderStarted reports the pid now in the reloader's pid file: when it
// is not the pid a pending hand-off signalled, the reloader was replaced
// and the hand-off is sent again.
func (d *debouncer) reloaderStarted(pid int) {
	send(d.done, d.pidCh, pid)
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
	reload  oneShot // armed while a hand-off is due
	failure oneShot // armed while a reuse after a failure is due
	lost    oneShot // armed while a hand-off awaits a new .status

	// lastHandOff is when the last hand-off was attempted, valid when
	// handedOff is set.
	lastHandOff time.Time
	handedOff   bool
	// pending is the hand-off that awaits a new .status, nil when none.
	pending *handOffReceipt
	// lostWait is the current lost-reload timeout: lostTimeout, doubled
	// at each re-send of a lost hand-off.
	lostWait time.Duration
}

// run handles messages and timers until ctx ends.
func (d *debouncer) run(ctx context.Context) {
	s := debounceState{
		reload:   oneShot{clock: d.clock},
		failure:  oneShot{clock: d.clock},
		lost:     oneShot{clock: d.clock},
		lostWait: d.lostTimeout,
	}
	defer s.reload.stop()
	defer s.failure.stop()
	defer s.lost.stop()
	for {
		select {
		case <-ctx.Done():
			return
		case c := <-d.applyCh:
			d.handleApply(&s, c)
		case <-d.reuseCh:
			d.schedule(&s)
		case o := <-d.statusCh:
			d.handleStatus(&s, o)
		case pid := <-d.pidCh:
			d.handlePID(&s, pid)
		case <-s.reload.C():
			s.reload.fired()
			d.handOff(&s)
		case <-s.failure.C():
			s.failure.fired()
			d.log.V(1).Info("reusing the frr config after a reload failure")
			d.schedule(&s)
		case <-s.lost.C():
			s.lost.fired()
			d.handleLost(&s)
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
	d.schedule(s)
}

// schedule hands the stored config off now when the last hand-off is at
// least a window old, else arms the timer for the end of that window.
// An armed timer is never moved, so a stream of configs still hands off
// once a window.
func (d *debouncer) schedule(s *debounceState) {
	if s.stored == nil || s.reload.armed() {
		return
	}
	if s.handedOff {
		if wait := s.lastHandOff.Add(d.interval).Sub(d.clock.Now()); wait > 0 {
			s.reload.arm(wait)
			return
		}
	}
	d.handOff(s)
}

func (d *debouncer) handleStatus(s *debounceState, o statusObservation) {
	s.failure.stop()
	if o.failed {
		s.failure.arm(FailureReuseDelay)
	}
	if s.pending != nil && o.stamp != s.pending.before {
		s.pending = nil
		s.lost.stop()
		s.lostWait = d.lostTimeout
	}
}

func (d *debouncer) handlePID(s *debounceState, pid int) {
	if s.pending == nil || pid == s.pending.pid {
		return
	}
	d.log.Info("the reloader restarted before reporting the reload, handing the frr config off again",
		"signalledPID", s.pending.pid, "newPID", pid)
	s.pending = nil
	s.lost.stop()
	d.schedule(s)
}

func (d *debouncer) handleLost(s *debounceState) {
	if s.pending == nil {
		return
	}
	d.log.Info("no reload status after the hand-off, handing the frr config off again", "waited", s.lostWait)
	s.pending = nil
	s.lostWait = min(2*s.lostWait, maxLostReloadBackoff*d.lostTimeout)
	d.schedule(s)
}

// handOff hands the stored config to the reloader and waits for its
// status; a failure to do so is retried after RetryInterval.
func (d *debouncer) handOff(s *debounceState) {
	s.lastHandOff, s.handedOff = d.clock.Now(), true
	receipt, err := d.reload(s.stored)
	if err != nil {
		d.log.Error(err, "failed to hand the frr config to the reloader, retrying", "retryIn", RetryInterval)
		s.reload.arm(RetryInterval)
		return
	}
	d.log.Info("frr config handed to the reloader")
	s.pending = &receipt
	s.lost.arm(s.lostWait)
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
