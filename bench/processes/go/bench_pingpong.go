// pingpong: two goroutines (main and one started) bounce an integer N times over two
// channels buffered for one value; the started one replies with the integer plus one.
// Timed: first send to the N-th reply. Checksum: the final integer (= N, the round trips).
// Also prints us_per_roundtrip.
// Build: GO111MODULE=off go build -o bench-pingpong bench_pingpong.go
// Run:   GOMAXPROCS=2 ./bench-pingpong [N]   (N = 1000000)
package main

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

func pong(in <-chan int, out chan<- int) {
	for v := range in {
		out <- v + 1
	}
}

func main() {
	n := 1000000
	if len(os.Args) > 1 {
		var err error
		if n, err = strconv.Atoi(os.Args[1]); err != nil {
			fmt.Fprintln(os.Stderr, "bench-pingpong: bad N:", os.Args[1])
			os.Exit(2)
		}
	}
	toPong, toPing := make(chan int, 1), make(chan int, 1)
	go pong(toPong, toPing)
	start := time.Now()
	v := 0
	for i := 0; i < n; i++ {
		toPong <- v
		v = <-toPing
	}
	seconds := time.Since(start).Seconds()
	close(toPong)
	perTrip := 0.0
	if n > 0 {
		perTrip = seconds * 1e6 / float64(n)
	}
	fmt.Printf("RESULT pingpong %.6f %d us_per_roundtrip=%.4f\n", seconds, v, perTrip)
}
