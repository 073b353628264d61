// tls_echo: the TLS echo server of the echo benchmark (bench/net/README.md), crypto/tls, a
// goroutine per connection. Listens on 127.0.0.1:PORT with the certificate and key of the
// PEM files named, prints "READY" once it does, and echoes every byte it reads until the
// client closes.
// Build: GO111MODULE=off go build -o tls-echo-go tls_echo.go
// Run:   GOMAXPROCS=2 ./tls-echo-go CERT.pem KEY.pem PORT
package main

import (
	"crypto/tls"
	"fmt"
	"os"
)

func serve(conn *tls.Conn) {
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
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: tls-echo-go CERT.pem KEY.pem PORT")
		os.Exit(2)
	}
	certificate, err := tls.LoadX509KeyPair(os.Args[1], os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, "tls-echo-go:", err)
		os.Exit(1)
	}
	config := &tls.Config{Certificates: []tls.Certificate{certificate}}
	listener, err := tls.Listen("tcp", "127.0.0.1:"+os.Args[3], config)
	if err != nil {
		fmt.Fprintln(os.Stderr, "tls-echo-go:", err)
		os.Exit(1)
	}
	fmt.Println("READY")
	for {
		conn, err := listener.Accept()
		if err != nil {
			fmt.Fprintln(os.Stderr, "tls-echo-go: accept:", err)
			continue
		}
		// The handshake runs on the first Read, in the connection's goroutine.
		go serve(conn.(*tls.Conn))
	}
}
