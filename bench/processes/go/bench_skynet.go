// skynet: a root goroutine starts 10 children, each starts 10, ... down to L leaves
// (L = 10^6: 6 levels, 1,111,111 goroutines besides main). Leaf k sends k on its parent's
// channel (buffered for the 10 children, so sends never block, like Erlang messages); every
// inner goroutine sums its 10 children's values and sends the sum up.
// Timed: start of the root to the root's sum received. Checksum: the sum, L*(L-1)/2
// (499999500000 for L = 10^6).
// Build: GO111MODULE=off go build -o bench-skynet bench_skynet.go
// Run:   GOMAXPROCS=2 ./bench-skynet [L]   (L a power of 10, default 1000000)
package main

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

func skynet(parent chan<- int64, num, size, div int64) {
	if size == 1 {
		parent <- num
		return
	}
	children := make(chan int64, div)
	sub := size / div
	for i := int64(0); i < div; i++ {
		go skynet(children, num+i*sub, sub, div)
	}
	var sum int64
	for i := int64(0); i < div; i++ {
		sum += <-children
	}
	parent <- sum
}

func main() {
	leaves := int64(1000000)
	if len(os.Args) > 1 {
		v, err := strconv.ParseInt(os.Args[1], 10, 64)
		if err != nil || v < 1 {
			fmt.Fprintln(os.Stderr, "bench-skynet: bad L:", os.Args[1])
			os.Exit(2)
		}
		leaves = v
	}
	result := make(chan int64, 1)
	start := time.Now()
	go skynet(result, 0, leaves, 10)
	sum := <-result
	seconds := time.Since(start).Seconds()
	fmt.Printf("RESULT skynet %.6f %d\n", seconds, sum)
}
