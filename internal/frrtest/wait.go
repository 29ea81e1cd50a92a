package frrtest

import (
	"fmt"
	"testing"
	"time"
)

// pollInterval is how often Poll and WaitFor evaluate their condition.
const pollInterval = 100 * time.Millisecond

// Poll evaluates cond until it reports true or timeout passes. cond returns
// whether it holds and a description of what it saw, which the error of a
// timeout repeats.
func Poll(timeout time.Duration, cond func() (bool, string)) error {
	deadline := time.Now().Add(timeout)
	for {
		ok, msg := cond()
		if ok {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("condition not met within %v; last seen: %s", timeout, msg)
		}
		time.Sleep(pollInterval)
	}
}

// WaitFor is Poll that fails the test on timeout.
func WaitFor(t testing.TB, timeout time.Duration, cond func() (bool, string)) {
	t.Helper()
	if err := Poll(timeout, cond); err != nil {
		t.Fatal(err)
	}
}
