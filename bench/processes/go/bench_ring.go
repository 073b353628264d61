// ring: P goroutines in a ring (main and P-1 relays), each with its own inbox channel
// (buffered for one value), a token passed around it for L laps: P*L sends. The token is
// an integer; every sender adds one, so it counts the hops. Building and stopping the ring
// are not timed.
// Timed: first send to the token's return after the last lap. Checksum: hops (= P*L).
// Build: GO111MODULE=off go build -o bench-ring bench_ring.go
// Run:   GOMAXPROCS=2 ./bench-ring [P [L]]   (1000 1000)
package main

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

func relay(in <-chan int, next chan<- int) {
	for token := range in {
		next <- token + 1
	}
	close(next)
}

func arg(i, def int) int {
	if len(os.Args) <= i {
		return def
	}
	v, err := strconv.Atoi(os.Args[i])
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench-ring: bad argument:", os.Args[i])
		os.Exit(2)
	}
	return v
}

func main() {
	procs, laps := arg(1, 1000), arg(2, 1000)
	if procs < 2 {
		fmt.Fprintln(os.Stderr, "bench-ring: P must be at least 2")
		os.Exit(2)
	}
	inbox := make([]chan int, procs) // inbox[0] is main's
	for i := range inbox {
		inbox[i] = make(chan int, 1)
	}
	for i := 1; i < procs; i++ {
		go relay(inbox[i], inbox[(i+1)%procs])
	}
	total := procs * laps
	start := time.Now()
	inbox[1] <- 1
	hops := 0
	for token := range inbox[0] {
		if token >= total {
			hops = token
			break
		}
		inbox[1] <- token + 1
	}
	seconds := time.Since(start).Seconds()
	close(inbox[1])
	for range inbox[0] { // the close travels around the ring back to main
	}
	fmt.Printf("RESULT ring %.6f %d\n", seconds, hops)
}
