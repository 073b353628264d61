// echo: the TCP echo server of the echo benchmark (bench/net/README.md), a goroutine per
// connection. Listens on 127.0.0.1:PORT, prints "READY" once it does, and echoes every byte
// it reads until the client closes.
// Build: GO111MODULE=off go build -o echo-go echo.go
// Run:   GOMAXPROCS=2 ./echo-go PORT
package main

import (
	"fmt"
	"net"
	"os"
)

func serve(conn net.Conn) {
	defer conn.Close()
	// 4 KiB, as the other servers read: a message is 64 bytes.
	buf := make([]byte, 4096)
	for {
		n, err := conn.Read(buf)
		if err != nil {
			return
		}
		if _, err := conn.Write(buf[:n]); err != nil {
			return
		}
	}
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: echo-go PORT")
		os.Exit(2)
	}
	listener, err := net.Listen("tcp", "127.0.0.1:"+os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "echo-go:", err)
		os.Exit(1)
	}
	fmt.Println("READY")
	for {
		conn, err := listener.Accept()
		if err != nil {
			fmt.Fprintln(os.Stderr, "echo-go: accept:", err)
			continue
		}
		go serve(conn) // Go sets TCP_NODELAY on accepted connections by default
	}
}
