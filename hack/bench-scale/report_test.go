//go:build benchscale

package benchscale

import (
	"cmp"
	"fmt"
	"strings"
	"time"
)

// report is the result table as text and as Markdown.
type report struct {
	text, markdown string
}

// formatReport lays out one column per measured daemon and the targets.
func formatReport(setup setupResult, debounce time.Duration, results []runResult) report {
	header := []string{"measure"}
	for _, r := range results {
		header = append(header, r.mode+" ("+r.node+")")
	}
	header = append(header, "target")
	rows := [][]string{header}
	add := func(name, target string, cell func(r runResult) string) {
		row := []string{name}
		for _, r := range results {
			row = append(row, cell(r))
		}
		rows = append(rows, append(row, target))
	}
	latencyTarget := "p95 ≤ " + (debounce + latencySlack).String()

	add("configs selecting the node", "", func(r runResult) string { return fmt.Sprint(r.selecting) })
	add("start → first SIGHUP", "", func(r runResult) string { return ms(r.startToSIGHUP) })
	add("start → FRRNodeState success", "", func(r runResult) string { return ms(r.startToState) })
	add("reconciles during start-up", "", func(r runResult) string { return fmt.Sprintf("%.0f", r.initialReconciles) })
	add("steady-state RSS mean / max", "max ≤ "+mib(rssTarget), func(r runResult) string {
		return fmt.Sprintf("%s / %s", mib(r.steadyMean), mib(r.steadyMax))
	})
	add("  of which anonymous / file-backed", "", func(r runResult) string {
		return fmt.Sprintf("%s / %s", mib(r.steadyAnon), mib(r.steadyFile))
	})
	add("peak RSS (VmHWM)", "", func(r runResult) string { return mib(r.peakRSS) })
	add("Go heap alloc / in use", "", func(r runResult) string {
		return fmt.Sprintf("%s / %s", mib(int64(r.heapAlloc)), mib(int64(r.heapInuse)))
	})
	add("Go heap held from the OS / stacks", "", func(r runResult) string {
		return fmt.Sprintf("%s / %s", mib(int64(r.heapSys)), mib(int64(r.stacks)))
	})
	add("goroutines", "", func(r runResult) string { return fmt.Sprintf("%.0f", r.goroutines) })
	addPhase := func(label string, get func(runResult) phaseResult, reconcileTarget string) {
		add(label+": writes", "", func(r runResult) string { return get(r).writes })
		add(label+": time to send", "", func(r runResult) string { return ms(get(r).span) })
		add(label+": reconciles", reconcileTarget, func(r runResult) string { return fmt.Sprintf("%.0f", get(r).reconciles) })
		add(label+": reloads (SIGHUP)", "", func(r runResult) string { return fmt.Sprint(get(r).reloads) })
		add(label+": daemon CPU", "", func(r runResult) string { return get(r).cpu.Round(10 * time.Millisecond).String() })
		add(label+": daemon allocations", "", func(r runResult) string { return mib(int64(get(r).allocated)) })
	}
	addPhase("unrelated burst", func(r runResult) phaseResult { return r.unrelated }, "0")
	addPhase("mixed burst", func(r runResult) phaseResult { return r.mixed }, "≤ own updates")
	add("hand-offs logged by the daemon, whole run", "", func(r runResult) string { return fmt.Sprint(r.handOffs) })
	add("shortest gap between hand-offs", "≥ "+debounce.String(), func(r runResult) string {
		if !r.hasGap {
			return "n/a"
		}
		return ms(r.minGap)
	})
	add("reload time in the reloader p50 / max", "", func(r runResult) string {
		return fmt.Sprintf("%s / %s", ms(percentile(r.reloadTimes, 50)), ms(percentile(r.reloadTimes, 100)))
	})
	add("update → frr.conf p50 / p95 / max", "", func(r runResult) string { return quantiles(r.toConf) })
	add("update → running-config p50 / p95 / max", "", func(r runResult) string { return quantiles(r.toRunning) })
	add("update → FRRNodeState p50 / p95 / max", latencyTarget, func(r runResult) string { return quantiles(r.latencies) })
	add("own updates seen in FRRNodeState", "all", func(r runResult) string { return fmt.Sprintf("%d / %d", r.landed, r.ownUpdates) })
	add("RSS after the bursts (5 s mean)", "", func(r runResult) string { return mib(r.postBurstRSS) })

	title := fmt.Sprintf("frr-k8s bench-scale: %d Nodes, %d FRRConfigurations, %d Secrets (created in %s); debounce %s; burst rate %s; "+
		"daemon Go environment from the DaemonSet: %s, its memory limit: %s; %s",
		setup.nodes, setup.configs, setup.secrets, setup.took.Round(time.Second), debounce, rateString(),
		cmp.Or(strings.Join(setup.deployed.runtimeEnv, " "), "none"), cmp.Or(setup.deployed.memoryLimit, "none"), machine())
	var logs []string
	for _, r := range results {
		logs = append(logs, fmt.Sprintf("daemon log (%s): %s", r.mode, r.daemonLog))
	}
	return report{
		text:     title + "\n\n" + textTable(rows) + "\n" + strings.Join(logs, "\n") + "\n",
		markdown: title + "\n\n" + markdownTable(rows),
	}
}

func rateString() string {
	if *flagRate <= 0 {
		return "unlimited"
	}
	return fmt.Sprintf("%.0f writes/s", *flagRate)
}

// quantiles formats p50 / p95 / max.
func quantiles(ds []time.Duration) string {
	return fmt.Sprintf("%s / %s / %s", ms(percentile(ds, 50)), ms(percentile(ds, 95)), ms(percentile(ds, 100)))
}

// ms formats a duration in milliseconds.
func ms(d time.Duration) string {
	return d.Round(time.Millisecond).String()
}

// textTable aligns rows in columns.
func textTable(rows [][]string) string {
	widths := make([]int, len(rows[0]))
	for _, row := range rows {
		for i, cell := range row {
			widths[i] = max(widths[i], len([]rune(cell)))
		}
	}
	var b strings.Builder
	for _, row := range rows {
		for i, cell := range row {
			b.WriteString(cell)
			if i < len(row)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-len([]rune(cell))+2))
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

// markdownTable renders rows as a Markdown table, the first one as header.
func markdownTable(rows [][]string) string {
	var b strings.Builder
	for i, row := range rows {
		b.WriteString("| " + strings.Join(row, " | ") + " |\n")
		if i == 0 {
			b.WriteString("|" + strings.Repeat("---|", len(row)) + "\n")
		}
	}
	return b.String()
}
