// echo: the TCP and TLS echo server of the echo benchmarks (bench/net/README.md), a goroutine
// per connection. Listens on 127.0.0.1:PORT (over TLS with crypto/tls when given a PEM
// certificate and key), prints "READY" once it does, and echoes every byte it reads until
// the client closes.
// Build: GO111MODULE=off go build -o echo-go echo.go
// Run:   GOMAXPROCS=2 ./echo-go [CERT.pem KEY.pem] PORT
package main

import (
	"crypto/tls"
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
	if len(os.Args) != 2 && len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: echo-go [CERT.pem KEY.pem] PORT")
		os.Exit(2)
	}
	address := "127.0.0.1:" + os.Args[len(os.Args)-1]
	var listener net.Listener
	var err error
	if len(os.Args) == 4 {
		var certificate tls.Certificate
		certificate, err = tls.LoadX509KeyPair(os.Args[1], os.Args[2])
		if err == nil {
			// Each connection's handshake runs on its first Read, in its goroutine.
			listener, err = tls.Listen("tcp", address, &tls.Config{Certificates: []tls.Certificate{certificate}})
		}
	} else {
		listener, err = net.Listen("tcp", address)
	}
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
