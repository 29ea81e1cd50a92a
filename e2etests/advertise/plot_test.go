package advertise

import (
	"cmp"
	"fmt"
	"html"
	"math"
	"slices"
	"strings"
	"time"
)

// Geometry of the plot, in SVG user units.
const (
	plotWidth, plotHeight = 760, 440
	plotLeft, plotRight   = 70, 230 // margins; the legend is on the right
	plotTop, plotBottom   = 40, 50
)

// plotSeries is one line of the plot: the median one-prefix change time
// of one FRR version, layout and end point, by N.
type plotSeries struct {
	label  string
	color  string
	dashed bool
	points []plotPoint
}

type plotPoint struct {
	n int
	d time.Duration
}

// seriesColors tells the version and layout pairs apart.
var seriesColors = []string{"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"}

// plotSVG draws, for each FRR version and layout, the median time of the
// one-prefix changes to the peer (solid) and to FRRNodeState (dashed)
// against N, on a logarithmic N axis. Only the first debounce window
// measured is drawn, so lines compare like with like.
func plotSVG(results []measurement) string {
	series := plotSeriesOf(results)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n",
		plotWidth, plotHeight, plotWidth, plotHeight)
	b.WriteString(`<rect width="100%" height="100%" fill="white"/>` + "\n")
	title := "One-prefix change: median time from the API write"
	if len(results) > 0 {
		title += fmt.Sprintf(" (debounce %d ms)", plotDebounce(results))
	}
	fmt.Fprintf(&b, `<text x="%d" y="20" font-size="14">%s</text>`+"\n", plotLeft, html.EscapeString(title))
	if len(series) == 0 {
		b.WriteString("</svg>\n")
		return b.String()
	}
	minN, maxN, maxD := plotBounds(series)
	x := func(n int) float64 {
		w := float64(plotWidth - plotLeft - plotRight)
		if maxN == minN {
			return float64(plotLeft) + w/2
		}
		return float64(plotLeft) + w*(math.Log10(float64(n))-math.Log10(float64(minN)))/(math.Log10(float64(maxN))-math.Log10(float64(minN)))
	}
	yMax := niceCeiling(maxD.Seconds())
	y := func(d time.Duration) float64 {
		h := float64(plotHeight - plotTop - plotBottom)
		return float64(plotHeight-plotBottom) - h*d.Seconds()/yMax
	}
	// Axes, grid and ticks.
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>`+"\n", plotLeft, plotHeight-plotBottom, plotWidth-plotRight, plotHeight-plotBottom)
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>`+"\n", plotLeft, plotTop, plotLeft, plotHeight-plotBottom)
	for i := 0; i <= 5; i++ {
		v := yMax * float64(i) / 5
		yy := y(time.Duration(v * float64(time.Second)))
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>`+"\n", plotLeft, yy, plotWidth-plotRight, yy)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end">%s</text>`+"\n", plotLeft-6, yy+4, trimFloat(v))
	}
	for _, n := range plotNs(series) {
		xx := x(n)
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/>`+"\n", xx, plotTop, xx, plotHeight-plotBottom)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">%d</text>`+"\n", xx, plotHeight-plotBottom+16, n)
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle">N (advertised prefixes, 4 neighbors; log scale)</text>`+"\n",
		(plotLeft+plotWidth-plotRight)/2, plotHeight-12)
	fmt.Fprintf(&b, `<text x="16" y="%d" transform="rotate(-90 16 %d)" text-anchor="middle">seconds</text>`+"\n",
		(plotTop+plotHeight-plotBottom)/2, (plotTop+plotHeight-plotBottom)/2)
	// Lines, points and legend.
	for i, s := range series {
		var pts []string
		for _, p := range s.points {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(p.n), y(p.d)))
		}
		dash := ""
		if s.dashed {
			dash = ` stroke-dasharray="6 4"`
		}
		fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2"%s points="%s"/>`+"\n", s.color, dash, strings.Join(pts, " "))
		for _, p := range s.points {
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3" fill="%s"><title>%s N=%d: %.2f s</title></circle>`+"\n",
				x(p.n), y(p.d), s.color, html.EscapeString(s.label), p.n, p.d.Seconds())
		}
		ly := plotTop + 10 + 18*i
		lx := plotWidth - plotRight + 12
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"%s/>`+"\n", lx, ly, lx+24, ly, s.color, dash)
		fmt.Fprintf(&b, `<text x="%d" y="%d">%s</text>`+"\n", lx+30, ly+4, html.EscapeString(s.label))
	}
	b.WriteString("</svg>\n")
	return b.String()
}

// plotDebounce is the debounce window the plot draws: the first measured.
func plotDebounce(results []measurement) int {
	return results[0].debounce
}

// plotSeriesOf builds the series from the one-prefix changes.
func plotSeriesOf(results []measurement) []plotSeries {
	if len(results) == 0 {
		return nil
	}
	debounce := plotDebounce(results)
	type key struct{ version, layout string }
	var keys []key
	samples := map[key]map[int][2][]time.Duration{}
	for _, m := range results {
		if m.name == "cold" || m.debounce != debounce {
			continue
		}
		k := key{m.version, m.layout}
		if _, ok := samples[k]; !ok {
			keys = append(keys, k)
			samples[k] = map[int][2][]time.Duration{}
		}
		s := samples[k][m.n]
		s[0], s[1] = append(s[0], m.peer), append(s[1], m.state)
		samples[k][m.n] = s
	}
	var res []plotSeries
	for i, k := range keys {
		color := seriesColors[i%len(seriesColors)]
		ns := slices.Sorted(func(yield func(int) bool) {
			for n := range samples[k] {
				if !yield(n) {
					return
				}
			}
		})
		peer := plotSeries{label: fmt.Sprintf("%s %s: peer", k.version, k.layout), color: color}
		state := plotSeries{label: fmt.Sprintf("%s %s: FRRNodeState", k.version, k.layout), color: color, dashed: true}
		for _, n := range ns {
			s := samples[k][n]
			peer.points = append(peer.points, plotPoint{n, median(s[0])})
			state.points = append(state.points, plotPoint{n, median(s[1])})
		}
		res = append(res, peer, state)
	}
	return res
}

// plotBounds returns the N range and the largest time of the series.
func plotBounds(series []plotSeries) (minN, maxN int, maxD time.Duration) {
	minN = math.MaxInt
	for _, s := range series {
		for _, p := range s.points {
			minN, maxN, maxD = min(minN, p.n), max(maxN, p.n), max(maxD, p.d)
		}
	}
	return minN, maxN, maxD
}

// plotNs returns every N of the series, sorted.
func plotNs(series []plotSeries) []int {
	var ns []int
	for _, s := range series {
		for _, p := range s.points {
			ns = append(ns, p.n)
		}
	}
	slices.SortFunc(ns, cmp.Compare[int])
	return slices.Compact(ns)
}

// niceCeiling rounds v up to 1, 2 or 5 times a power of ten (at least 1).
func niceCeiling(v float64) float64 {
	if v <= 1 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

// trimFloat formats an axis value without trailing zeros.
func trimFloat(v float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", v), "0"), ".")
}
