package convert

// spares are the router and neighbors of a config that were merged into
// the accumulated ones and that nothing references any more. The next
// configs reuse them rather than allocating: many configs sharing a few
// peers (a tenant config per rack and peer) then convert without
// allocating routers or neighbors.
type spares struct {
	router    *router
	neighbors []*neighbor
}

// keepMerged keeps m, just merged into acc, and those of its neighbors
// that were merged into one of acc's rather than added to acc. The merge
// copies values out of them, never the router or a neighbor itself, and
// m is not used after the merge.
func (s *spares) keepMerged(acc, m *router) {
	i := 0
	for _, n := range m.neighbors {
		// Both are sorted by ID and acc now has every ID of m.
		for i < len(acc.neighbors) && acc.neighbors[i].id < n.id {
			i++
		}
		if i < len(acc.neighbors) && acc.neighbors[i] != n {
			s.neighbors = append(s.neighbors, n)
		}
	}
	s.router = m
}

// newNeighbor returns a neighbor holding v, reusing a spare one if any.
func (s *spares) newNeighbor(v neighbor) *neighbor {
	var n *neighbor
	if last := len(s.neighbors) - 1; last >= 0 {
		n, s.neighbors = s.neighbors[last], s.neighbors[:last]
	} else {
		n = new(neighbor)
	}
	*n = v
	return n
}

// newRouter returns a router holding v and room for neighbors neighbors,
// reusing the spare router and its neighbor array if any.
func (s *spares) newRouter(v router, neighbors int) *router {
	r := s.router
	if r == nil {
		r = new(router)
	} else {
		s.router = nil
		v.neighbors = r.neighbors[:0]
	}
	*r = v
	if neighbors > cap(r.neighbors) {
		r.neighbors = make([]*neighbor, 0, neighbors)
	}
	return r
}
