package advertise

import (
	"fmt"
	"maps"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"
)

// clockTicks is USER_HZ, the unit of the times in /proc/<pid>/stat; it is
// 100 on every Linux architecture Go supports.
const clockTicks = 100

// frrDaemons are the process names counted as FRR daemons of the node.
var frrDaemons = []string{"mgmtd", "zebra", "bgpd", "bfdd", "staticd"}

// Keys of a cpuSample besides the FRR daemon names.
const (
	cpuReloadTools = "frr-reload" // the reloader's waited-for children: frr-reload.py, vtysh
	cpuDaemon      = "frr-k8s"
)

// cpuSample is the CPU time used so far, by process name.
type cpuSample map[string]time.Duration

// sampleCPU reads the CPU time of the FRR daemons running in namespace ns,
// of the children the reloader has waited for (frr-reload.py and vtysh,
// which exit after each call) and of the frr-k8s daemon.
func sampleCPU(ns string, reloaderPid, daemonPid int) (cpuSample, error) {
	sample := cpuSample{}
	out, err := exec.Command("ip", "netns", "pids", ns).Output()
	if err != nil {
		return nil, fmt.Errorf("list the processes of %s: %w", ns, err)
	}
	for field := range strings.FieldsSeq(string(out)) {
		pid, err := strconv.Atoi(field)
		if err != nil {
			continue
		}
		comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
		if err != nil {
			continue // exited meanwhile
		}
		name := strings.TrimSpace(string(comm))
		if !slices.Contains(frrDaemons, name) {
			continue
		}
		times, err := procTimes(pid)
		if err != nil {
			continue
		}
		sample[name] += times.own
	}
	reloader, err := procTimes(reloaderPid)
	if err != nil {
		return nil, err
	}
	sample[cpuReloadTools] = reloader.children
	daemon, err := procTimes(daemonPid)
	if err != nil {
		return nil, err
	}
	sample[cpuDaemon] = daemon.own
	return sample, nil
}

// cpuTimes are the user+system times of a process and of its waited-for
// children.
type cpuTimes struct {
	own, children time.Duration
}

// procTimes reads utime+stime and cutime+cstime of pid.
func procTimes(pid int) (cpuTimes, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return cpuTimes{}, fmt.Errorf("read stat of %d: %w", pid, err)
	}
	// The command name may contain spaces; the fields after it do not.
	end := strings.LastIndexByte(string(b), ')')
	if end < 0 {
		return cpuTimes{}, fmt.Errorf("malformed stat of %d", pid)
	}
	fields := strings.Fields(string(b[end+1:]))
	// fields[0] is the state (field 3); utime..cstime are fields 14..17.
	if len(fields) < 15 {
		return cpuTimes{}, fmt.Errorf("short stat of %d", pid)
	}
	var ticks [4]int64
	for i := range ticks {
		v, err := strconv.ParseInt(fields[11+i], 10, 64)
		if err != nil {
			return cpuTimes{}, fmt.Errorf("parse stat of %d: %w", pid, err)
		}
		ticks[i] = v
	}
	toDuration := func(t int64) time.Duration { return time.Duration(t) * time.Second / clockTicks }
	return cpuTimes{own: toDuration(ticks[0] + ticks[1]), children: toDuration(ticks[2] + ticks[3])}, nil
}

// since returns the CPU time used between before and s, by process name.
func (s cpuSample) since(before cpuSample) cpuSample {
	diff := cpuSample{}
	for name, d := range s {
		diff[name] = d - before[name]
	}
	return diff
}

// String lists the non-zero entries as "bgpd 12.3 s, zebra 4.0 s", FRR
// daemons first.
func (s cpuSample) String() string {
	order := append(slices.Clone(frrDaemons), cpuReloadTools, cpuDaemon)
	for _, name := range slices.Sorted(maps.Keys(s)) {
		if !slices.Contains(order, name) {
			order = append(order, name)
		}
	}
	var parts []string
	for _, name := range order {
		if d, ok := s[name]; ok && d > 0 {
			parts = append(parts, fmt.Sprintf("%s %.1f s", name, d.Seconds()))
		}
	}
	return strings.Join(parts, ", ")
}

// frrTotal is the CPU time of the FRR daemons together.
func (s cpuSample) frrTotal() time.Duration {
	var total time.Duration
	for _, name := range frrDaemons {
		total += s[name]
	}
	return total
}

// loadAverage returns the 1-minute load average of the machine.
func loadAverage() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return -1
	}
	fields := strings.Fields(string(b))
	if len(fields) == 0 {
		return -1
	}
	v, err := strconv.ParseFloat(fields[0], 64)
	if err != nil {
		return -1
	}
	return v
}
