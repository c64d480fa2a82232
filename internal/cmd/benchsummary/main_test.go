package main

import (
	"strings"
	"testing"
)

const sample = `goos: linux
goarch: amd64
pkg: github.com/replsync/replsync/pkg/sync
cpu: AMD EPYC
BenchmarkPlan/buckets=10000/mixed-2         	     499	   2350892 ns/op	       235.1 ns/bucket	  666736 B/op	   20002 allocs/op
BenchmarkPass/buckets=2000/c=32/L=20ms-2         	       1	2783205463 ns/op	      4000 calls	         1.000 calls/min	      4000 conns	         2.520 floor-s	         2.782 wall-s	         1.104 wall/floor	209405816 B/op	 2159631 allocs/op
    bench_test.go:12: a log line
BenchmarkPass/buckets=50/c=1/L=20ms-2                                	       1	2094265690 ns/op	       100.0 calls	         1.000 calls/min	       100.0 conns	         2.000 floor-s	         2.094 wall-s	        83.77 wall-s@2000	         1.047 wall/floor	 5198776 B/op	   54089 allocs/op
PASS
ok  	github.com/replsync/replsync/pkg/sync	21.631s
`

func TestSummarize(t *testing.T) {
	var out strings.Builder
	if err := summarize(strings.NewReader(sample), &out); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"linux/amd64, AMD EPYC",
		"BenchmarkPlan\n",
		"buckets=10000/mixed  235.1",
		"BenchmarkPass\n",
		"wall/floor",
		"wall-s@2000",
		"83.77",
		"1.10",
		"100  ", // whole numbers without decimals
	} {
		if !strings.Contains(got, want) {
			t.Errorf("summary lacks %q:\n%s", want, got)
		}
	}
	pass := got[strings.Index(got, "BenchmarkPass"):]
	if strings.Contains(pass, "allocs/op") || strings.Contains(pass, "ns/op") {
		t.Errorf("pass table shows the process-wide framework figures:\n%s", pass)
	}
	t.Log("\n" + got)
}

func TestSummarizeRefusesEmptyInput(t *testing.T) {
	if err := summarize(strings.NewReader("FAIL\n"), &strings.Builder{}); err == nil {
		t.Error("no error for input without results")
	}
}
