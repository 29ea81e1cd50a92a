package frrtest

import (
	"fmt"
	"testing"
	"time"
)

// BGPEstablished is FRR's bgpState of a session that is up.
const BGPEstablished = "Established"

// NeighborState returns the bgpState of one neighbor of the default BGP
// instance (`show bgp neighbors <neighbor> json`), "" when it is unknown.
func (i *Instance) NeighborState(neighbor string) (string, error) {
	var neighbors map[string]struct {
		BGPState string `json:"bgpState"`
	}
	if err := i.VtyshJSON(fmt.Sprintf("show bgp neighbors %s json", neighbor), &neighbors); err != nil {
		return "", err
	}
	return neighbors[neighbor].BGPState, nil
}

// WaitEstablished waits until the session to neighbor is Established and
// fails the test when it is not within timeout.
func (i *Instance) WaitEstablished(t testing.TB, neighbor string, timeout time.Duration) {
	t.Helper()
	WaitFor(t, timeout, func() (bool, string) {
		state, err := i.NeighborState(neighbor)
		if err != nil {
			return false, err.Error()
		}
		return state == BGPEstablished, fmt.Sprintf("%s: session to %s is %q", i.name, neighbor, state)
	})
}
