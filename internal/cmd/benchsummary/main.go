// Command benchsummary turns `go test -bench` output (on stdin) into the
// short table that `make bench` prints: one table per benchmark function,
// one row per sub-benchmark, one column per figure.
//
// For benchmarks that report a wall time of their own ("wall-s"), the
// framework's ns/op, B/op and allocs/op are left out: they time and count
// the whole process, emulator included, and would only mislead.
package main

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
)

func main() {
	if err := summarize(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "benchsummary:", err)
		os.Exit(1)
	}
}

// result is one benchmark line: BenchmarkF/sub-2  N  v1 unit1  v2 unit2 ...
type result struct {
	fn, sub string
	values  map[string]float64
	units   []string // in the order reported
}

// unitOrder puts the figures people look for first.
var unitOrder = []string{
	"calls", "calls/min", "conns", "wall-s", "floor-s", "wall/floor",
	"ns/bucket", "maxrss-MiB", "requests", "doc-MiB",
	"ns/op", "MB/s", "B/op", "allocs/op",
}

func summarize(in io.Reader, out io.Writer) error {
	var goos, goarch, cpu string
	var results []result
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "goos: "):
			goos = strings.TrimPrefix(line, "goos: ")
		case strings.HasPrefix(line, "goarch: "):
			goarch = strings.TrimPrefix(line, "goarch: ")
		case strings.HasPrefix(line, "cpu: "):
			cpu = strings.TrimPrefix(line, "cpu: ")
		case strings.HasPrefix(line, "Benchmark"):
			if r, ok := parseLine(line); ok {
				results = append(results, r)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if len(results) == 0 {
		return fmt.Errorf("no benchmark results in the input")
	}
	fmt.Fprintf(out, "replsync benchmarks: %s/%s, %s, %d CPUs, %s\n", goos, goarch, cpu, runtime.NumCPU(), runtime.Version())
	var fns []string
	for _, r := range results {
		if !slices.Contains(fns, r.fn) {
			fns = append(fns, r.fn)
		}
	}
	for _, fn := range fns {
		var rows []result
		for _, r := range results {
			if r.fn == fn {
				rows = append(rows, r)
			}
		}
		fmt.Fprintf(out, "\n%s\n", fn)
		writeTable(out, rows)
	}
	return nil
}

// parseLine reads one result line; the -N CPU suffix is dropped.
func parseLine(line string) (result, bool) {
	f := strings.Fields(line)
	if len(f) < 4 || len(f)%2 != 0 {
		return result{}, false // a benchmark's log line, not a result
	}
	if _, err := strconv.Atoi(f[1]); err != nil {
		return result{}, false
	}
	name := f[0]
	if i := strings.LastIndexByte(name, '-'); i > 0 {
		if _, err := strconv.Atoi(name[i+1:]); err == nil {
			name = name[:i]
		}
	}
	r := result{values: map[string]float64{}}
	r.fn, r.sub, _ = strings.Cut(name, "/")
	for i := 2; i+1 < len(f); i += 2 {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return result{}, false
		}
		r.values[f[i+1]] = v
		r.units = append(r.units, f[i+1])
	}
	return r, true
}

func writeTable(out io.Writer, rows []result) {
	var units []string
	ownWall := false
	for _, r := range rows {
		for _, u := range r.units {
			if !slices.Contains(units, u) {
				units = append(units, u)
			}
			ownWall = ownWall || u == "wall-s"
		}
	}
	if ownWall {
		units = slices.DeleteFunc(units, func(u string) bool { return u == "ns/op" || u == "B/op" || u == "allocs/op" })
	}
	rank := func(u string) int {
		if i := slices.Index(unitOrder, u); i >= 0 {
			return i
		}
		return len(unitOrder)
	}
	slices.SortStableFunc(units, func(a, b string) int { return rank(a) - rank(b) })

	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "  \t")
	for _, u := range units {
		fmt.Fprintf(tw, "%s\t", u)
	}
	fmt.Fprintln(tw)
	for _, r := range rows {
		sub := r.sub
		if sub == "" {
			sub = "-"
		}
		fmt.Fprintf(tw, "  %s\t", sub)
		for _, u := range units {
			if v, ok := r.values[u]; ok {
				fmt.Fprintf(tw, "%s\t", format(v))
			} else {
				fmt.Fprint(tw, "\t")
			}
		}
		fmt.Fprintln(tw)
	}
	_ = tw.Flush()
}

// format prints whole numbers as such, others with three significant
// digits, without exponents.
func format(v float64) string {
	switch a := max(v, -v); {
	case v == math.Trunc(v) && a < 1e15:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 1000:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 100:
		return strconv.FormatFloat(v, 'f', 1, 64)
	case a >= 1:
		return strconv.FormatFloat(v, 'f', 2, 64)
	default:
		return strconv.FormatFloat(v, 'f', 4, 64)
	}
}
