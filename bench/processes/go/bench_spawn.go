// spawn: the main goroutine starts N goroutines; each sends an empty struct on a channel
// buffered for N (so the send never blocks, like an Erlang message) and returns. Main
// starts all N, then receives N values.
// Timed: first go statement to last value received. Checksum: values received (= N).
// Build: GO111MODULE=off go build -o bench-spawn bench_spawn.go
// Run:   GOMAXPROCS=2 ./bench-spawn [N]   (N = 1000000)
package main

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

func main() {
	n := 1000000
	if len(os.Args) > 1 {
		var err error
		if n, err = strconv.Atoi(os.Args[1]); err != nil {
			fmt.Fprintln(os.Stderr, "bench-spawn: bad N:", os.Args[1])
			os.Exit(2)
		}
	}
	done := make(chan struct{}, n)
	start := time.Now()
	for i := 0; i < n; i++ {
		go func() { done <- struct{}{} }()
	}
	count := 0
	for i := 0; i < n; i++ {
		<-done
		count++
	}
	seconds := time.Since(start).Seconds()
	fmt.Printf("RESULT spawn %.6f %d\n", seconds, count)
}
