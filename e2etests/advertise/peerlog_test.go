package advertise

// peerLogSize is the current size of the peer's bgpd log, where its
// `debug bgp updates` lines go.
func (b *bench) peerLogSize() int64 {
	size, err := b.peer.LogSize("bgpd")
	if err != nil {
		b.t.Fatalf("the peer's bgpd log: %v", err)
	}
	return size
}

// countWithdrawn sets m.withdrawn to the number of withdrawals the peer
// logged since m started, for prefixes other than m.removed: a hitless
// change withdraws nothing else.
func (b *bench) countWithdrawn(m *measurement) {
	b.t.Helper()
	n, err := b.peer.Withdrawals(m.peerLogFrom, m.removed)
	if err != nil {
		b.t.Fatalf("the peer's bgpd log: %v", err)
	}
	m.withdrawn = n
}
