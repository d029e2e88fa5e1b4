// Command tlsverify is regtrust's differential oracle for Go's certificate
// verification: for each case it runs a real crypto/tls client handshake, over
// loopback TCP inside this process, against a crypto/tls server that presents the case's chain,
// configured the way containerd configures its registry client
// (remotes/docker/config/hosts.go: RootCAs = x509.SystemCertPool() plus the
// CA files appended with AppendCertsFromPEM; ServerName = the registry host).
// The verdict and error text are therefore the ones crypto/tls itself produces
// for the Go version this program is built with.
//
// Input (stdin): {"cases":[{"id","chain":[base64 DER…],"roots":"PEM","serverName","time":"RFC 3339"}]}
// Output (stdout): {"goVersion":"go1.x.y","results":[{"id","ok","error"}]}
//
// The system pool comes from SSL_CERT_FILE / SSL_CERT_DIR, which the test sets.
// Built offline in GOPATH mode (GO111MODULE=off) with Debian's Go; standard
// library only.
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"time"
)

type testCase struct {
	ID         string   `json:"id"`
	Chain      [][]byte `json:"chain"`
	Roots      string   `json:"roots"`
	ServerName string   `json:"serverName"`
	Time       string   `json:"time"`
}

type result struct {
	ID    string  `json:"id"`
	OK    bool    `json:"ok"`
	Error *string `json:"error"`
}

// errVerified ends the handshake once crypto/tls has verified the chain: the
// server below does not hold the leaf's private key, and only the
// certificate verification is under test.
var errVerified = errors.New("oracle: chain verified")

func main() {
	var input struct {
		Cases []testCase `json:"cases"`
	}
	if err := json.NewDecoder(os.Stdin).Decode(&input); err != nil {
		fatal(fmt.Errorf("reading cases: %w", err))
	}
	serverKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		fatal(err)
	}
	out := struct {
		GoVersion string   `json:"goVersion"`
		Results   []result `json:"results"`
	}{GoVersion: runtime.Version()}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fatal(err)
	}
	defer listener.Close()
	for _, c := range input.Cases {
		r, err := run(c, serverKey, listener)
		if err != nil {
			fatal(fmt.Errorf("case %s: %w", c.ID, err))
		}
		out.Results = append(out.Results, r)
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fatal(err)
	}
}

func run(c testCase, serverKey *ecdsa.PrivateKey, listener net.Listener) (result, error) {
	now, err := time.Parse(time.RFC3339, c.Time)
	if err != nil {
		return result{}, err
	}
	roots, err := x509.SystemCertPool()
	if err != nil {
		return result{}, err
	}
	roots.AppendCertsFromPEM([]byte(c.Roots))
	client := &tls.Config{
		RootCAs:    roots,
		ServerName: c.ServerName,
		Time:       func() time.Time { return now },
		VerifyConnection: func(tls.ConnectionState) error {
			return errVerified
		},
	}
	server := &tls.Config{
		Certificates: []tls.Certificate{{Certificate: c.Chain, PrivateKey: serverKey}},
	}
	deadline := time.Now().Add(30 * time.Second)
	done := make(chan struct{})
	go func() {
		defer close(done)
		conn, err := listener.Accept()
		if err != nil {
			return
		}
		conn.SetDeadline(deadline)
		tls.Server(conn, server).Handshake()
		conn.Close()
	}()
	// A loopback TCP connection rather than net.Pipe: its buffers let the
	// client send its alert while the server is still writing its flight.
	conn, err := net.DialTimeout("tcp", listener.Addr().String(), 10*time.Second)
	if err != nil {
		return result{}, err
	}
	conn.SetDeadline(deadline)
	err = tls.Client(conn, client).Handshake()
	conn.Close()
	<-done
	if err == errVerified {
		return result{ID: c.ID, OK: true}, nil
	}
	if err == nil {
		return result{}, errors.New("handshake completed without reaching VerifyConnection")
	}
	text := err.Error()
	return result{ID: c.ID, OK: false, Error: &text}, nil
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "tlsverify:", err)
	os.Exit(3)
}
