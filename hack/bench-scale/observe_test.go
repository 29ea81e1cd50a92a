//go:build benchscale

package benchscale

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
	"github.com/frrk8s/frrk8s/internal/controller"
	"github.com/frrk8s/frrk8s/internal/frr"
)

// landing is the first time the FRRNodeState showed a marker.
type landing struct {
	seq int64
	at  time.Time
}

// stateTracker follows one FRRNodeState through a watch and records when
// each per-node marker first appears in a successful status.
type stateTracker struct {
	mu       sync.Mutex
	events   int
	landings []landing // increasing seq
	last     v1beta1.FRRNodeStateStatus
}

// watchNodeState starts following the FRRNodeState of node until ctx ends.
func watchNodeState(ctx context.Context, cl client.WithWatch, node string) *stateTracker {
	t := &stateTracker{}
	go func() {
		for ctx.Err() == nil {
			w, err := cl.Watch(ctx, &v1beta1.FRRNodeStateList{}, client.MatchingFields{"metadata.name": node})
			if err != nil {
				time.Sleep(200 * time.Millisecond)
				continue
			}
			for ev := range w.ResultChan() {
				if st, ok := ev.Object.(*v1beta1.FRRNodeState); ok {
					t.observe(st.Status, time.Now())
				}
			}
			w.Stop()
		}
	}()
	return t
}

// observe records one status seen at the given time.
func (t *stateTracker) observe(s v1beta1.FRRNodeStateStatus, at time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.events++
	t.last = s
	if s.LastConversionResult != controller.ConversionSuccess || s.LastReloadResult != frr.ReloadSuccess {
		return
	}
	seq := markerSeq(s.RunningConfig)
	if seq < 0 {
		return
	}
	if n := len(t.landings); n == 0 || seq > t.landings[n-1].seq {
		t.landings = append(t.landings, landing{seq: seq, at: at})
	}
}

// firstSuccess is when a successful status with a marker was first seen.
func (t *stateTracker) firstSuccess() (time.Time, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.landings) == 0 {
		return time.Time{}, false
	}
	return t.landings[0].at, true
}

// landedAt is when the FRRNodeState first showed marker seq or a later one.
func (t *stateTracker) landedAt(seq int64) (time.Time, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	i := sort.Search(len(t.landings), func(i int) bool { return t.landings[i].seq >= seq })
	if i == len(t.landings) {
		return time.Time{}, false
	}
	return t.landings[i].at, true
}

// describe summarises the last status, for errors.
func (t *stateTracker) describe() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return fmt.Sprintf("%d events; last status: conversion %q, reload %q, running config %d bytes (marker %d)",
		t.events, t.last.LastConversionResult, trim(t.last.LastReloadResult, 300), len(t.last.RunningConfig), markerSeq(t.last.RunningConfig))
}

func trim(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// waitFor polls cond until it holds, the daemon dies or timeout passes.
func waitFor(timeout time.Duration, alive func() error, cond func() bool) error {
	deadline := time.Now().Add(timeout)
	for !cond() {
		if err := alive(); err != nil {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not within %s", timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return nil
}

// percentile returns the p-th percentile (nearest rank) of ds.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	rank := int(p/100*float64(len(s))+0.999999) - 1
	return s[min(max(rank, 0), len(s)-1)]
}

// minGap is the shortest interval between consecutive times.
func minGap(ts []time.Time) (time.Duration, bool) {
	if len(ts) < 2 {
		return 0, false
	}
	gap := ts[1].Sub(ts[0])
	for i := 2; i < len(ts); i++ {
		gap = min(gap, ts[i].Sub(ts[i-1]))
	}
	return gap, true
}

// countBetween counts the times in [from, to].
func countBetween(ts []time.Time, from, to time.Time) int {
	n := 0
	for _, t := range ts {
		if !t.Before(from) && !t.After(to) {
			n++
		}
	}
	return n
}

// fileTracker records when each per-node marker first appears in a file of
// the shared volume (frr.conf written by the daemon, running-config by the
// reloader), to split the apply latency into its stages.
type fileTracker struct {
	mu       sync.Mutex
	landings map[string][]landing // by file name, increasing seq
}

// watchVolume starts following frr.conf and running-config in dir.
func watchVolume(ctx context.Context, dir string) (*fileTracker, error) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("watching the volume: %w", err)
	}
	if err := w.Add(dir); err != nil {
		w.Close()
		return nil, fmt.Errorf("watching the volume: %w", err)
	}
	t := &fileTracker{landings: map[string][]landing{}}
	go func() {
		defer w.Close()
		for {
			select {
			case <-ctx.Done():
				return
			case ev := <-w.Events:
				name := filepath.Base(ev.Name)
				if name == frrConfFile || name == runningConfigFile {
					t.read(ev.Name, name, time.Now())
				}
			case <-w.Errors:
			}
		}
	}()
	return t, nil
}

// Files of the volume the tracker follows.
const (
	frrConfFile       = "frr.conf"
	runningConfigFile = "running-config"
)

func (t *fileTracker) read(path, name string, at time.Time) {
	data, err := os.ReadFile(path)
	if err != nil {
		return
	}
	seq := markerSeq(string(data))
	if seq < 0 {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	l := t.landings[name]
	if n := len(l); n == 0 || seq > l[n-1].seq {
		t.landings[name] = append(l, landing{seq: seq, at: at})
	}
}

// landedAt is when the file first held marker seq or a later one.
func (t *fileTracker) landedAt(name string, seq int64) (time.Time, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	l := t.landings[name]
	i := sort.Search(len(l), func(i int) bool { return l[i].seq >= seq })
	if i == len(l) {
		return time.Time{}, false
	}
	return l[i].at, true
}
