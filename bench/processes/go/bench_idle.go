// idle: start N goroutines that each send on a shared 'ready' channel and then block
// receiving on their own inbox channel (one per goroutine, like an Erlang mailbox). Once
// all N are ready, read VmRSS from /proc/self/status and report (RSS - RSS before
// starting them, after a GC) / N in KiB, then release each through its inbox; each sends
// on 'bye' and returns. The slice of inboxes (8 bytes a goroutine) is counted in the figure.
// Timed: first go statement to the N-th ready. Checksum: byes received (= N).
// Build: GO111MODULE=off go build -o bench-idle bench_idle.go
// Run:   GOMAXPROCS=2 ./bench-idle [N]   (N = 100000)
package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

func rssKiB() int {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		panic(err)
	}
	defer f.Close()
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		fields := strings.Fields(scanner.Text())
		if len(fields) >= 2 && fields[0] == "VmRSS:" {
			kib, err := strconv.Atoi(fields[1])
			if err != nil {
				panic(err)
			}
			return kib
		}
	}
	panic("no VmRSS in /proc/self/status")
}

func main() {
	n := 100000
	if len(os.Args) > 1 {
		var err error
		if n, err = strconv.Atoi(os.Args[1]); err != nil || n < 1 {
			fmt.Fprintln(os.Stderr, "bench-idle: bad N:", os.Args[1])
			os.Exit(2)
		}
	}
	ready := make(chan struct{}, n)
	bye := make(chan struct{}, n)
	runtime.GC()
	before := rssKiB()
	start := time.Now()
	inboxes := make([]chan struct{}, n)
	for i := range inboxes {
		inbox := make(chan struct{}, 1)
		inboxes[i] = inbox
		go func() {
			ready <- struct{}{}
			<-inbox
			bye <- struct{}{}
		}()
	}
	for i := 0; i < n; i++ {
		<-ready
	}
	seconds := time.Since(start).Seconds()
	after := rssKiB()
	for _, inbox := range inboxes {
		inbox <- struct{}{}
	}
	byes := 0
	for i := 0; i < n; i++ {
		<-bye
		byes++
	}
	fmt.Printf("RESULT idle %.6f %d kib_per_process=%.3f rss_before_kib=%d rss_after_kib=%d\n",
		seconds, byes, float64(after-before)/float64(n), before, after)
}
