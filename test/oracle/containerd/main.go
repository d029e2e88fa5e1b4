// Command containerd-oracle prints what containerd's own Go code makes of
// config trees: the server config loader (services/server/config LoadConfig +
// Decode, which picks the CRI plugin table by config version), then
// remotes/docker/config HostDirFromRoot over config_path's roots (the CRI
// plugin's hostDirFromRoots loop) and ConfigureHosts for one registry.
//
// Built in GOPATH mode against Debian's golang-github-containerd-containerd-dev
// (1.6.20 in Debian 12, 1.7.24 in Debian 13) by scripts/oracle/containerd.sh.
// Debian strips pkg/cri from the -dev package, so the CRI plugin's registry
// table is decoded into criRegistry below: the field names and TOML tags of
// pkg/cri/config Registry that decide registry trust.
//
// stdin: JSON array of {"id","config","registry"}; stdout: one JSON object per case.
package main

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"

	"github.com/containerd/containerd/errdefs"
	"github.com/containerd/containerd/plugin"
	"github.com/containerd/containerd/remotes/docker"
	dconfig "github.com/containerd/containerd/remotes/docker/config"
	srvconfig "github.com/containerd/containerd/services/server/config"
)

type criRegistry struct {
	Registry struct {
		ConfigPath string                 `toml:"config_path"`
		Mirrors    map[string]interface{} `toml:"mirrors"`
		Configs    map[string]interface{} `toml:"configs"`
	} `toml:"registry"`
}

type input struct {
	ID       string `json:"id"`
	Config   string `json:"config"`
	Registry string `json:"registry"`
}

type endpoint struct {
	Scheme       string   `json:"scheme"`
	Host         string   `json:"host"`
	Path         string   `json:"path"`
	Capabilities []string `json:"capabilities"`
	CAs          []string `json:"cas"`
	ClientCerts  int      `json:"clientCerts"`
	SkipVerify   bool     `json:"skipVerify"`
	HTTPFallback bool     `json:"httpFallback"`
}

type output struct {
	ID          string     `json:"id"`
	ConfigError string     `json:"configError,omitempty"`
	ConfigPath  string     `json:"configPath"`
	HostDir     string     `json:"hostDir"`
	Error       string     `json:"error,omitempty"`
	Panic       string     `json:"panic,omitempty"`
	Endpoints   []endpoint `json:"endpoints"`
}

var systemSubjects = map[string]bool{}

func main() {
	var cases []input
	if err := json.NewDecoder(os.Stdin).Decode(&cases); err != nil {
		fmt.Fprintln(os.Stderr, "containerd-oracle:", err)
		os.Exit(2)
	}
	if pool, err := x509.SystemCertPool(); err == nil {
		for _, s := range pool.Subjects() { //nolint:staticcheck // the pool is ours, not the system's
			systemSubjects[string(s)] = true
		}
	}
	enc := json.NewEncoder(os.Stdout)
	for _, c := range cases {
		_ = enc.Encode(resolve(c))
	}
}

func resolve(c input) (out output) {
	out.ID = c.ID
	out.Endpoints = []endpoint{}
	defer func() {
		if r := recover(); r != nil {
			out.Panic = fmt.Sprint(r)
		}
	}()
	var cfg srvconfig.Config
	if err := srvconfig.LoadConfig(c.Config, &cfg); err != nil {
		out.ConfigError = err.Error()
		return out
	}
	cri := &criRegistry{}
	reg := &plugin.Registration{Type: plugin.GRPCPlugin, ID: "cri", Config: cri}
	if _, err := cfg.Decode(reg); err != nil {
		out.ConfigError = err.Error()
		return out
	}
	out.ConfigPath = cri.Registry.ConfigPath
	roots := filepath.SplitList(cri.Registry.ConfigPath)
	if len(roots) == 0 {
		return out
	}
	hostDir := hostDirFromRoots(roots)
	opts := dconfig.HostOptions{HostDir: func(h string) (string, error) {
		dir, err := hostDir(h)
		out.HostDir = dir
		return dir, err
	}}
	hosts, err := dconfig.ConfigureHosts(context.Background(), opts)(c.Registry)
	if err != nil {
		out.Error = err.Error()
		return out
	}
	for _, h := range hosts {
		out.Endpoints = append(out.Endpoints, describe(h))
	}
	return out
}

// The CRI plugin's loop (pkg/cri/server/image_pull.go hostDirFromRoots): the first root with a match wins.
func hostDirFromRoots(roots []string) func(string) (string, error) {
	return func(host string) (dir string, err error) {
		for _, root := range roots {
			dir, err = dconfig.HostDirFromRoot(root)(host)
			if (err != nil && !errdefs.IsNotFound(err)) || dir != "" {
				break
			}
		}
		return
	}
}

func describe(h docker.RegistryHost) endpoint {
	e := endpoint{Scheme: h.Scheme, Host: h.Host, Path: h.Path, CAs: []string{}, Capabilities: []string{}}
	for _, c := range []struct {
		flag docker.HostCapabilities
		name string
	}{{docker.HostCapabilityPull, "pull"}, {docker.HostCapabilityResolve, "resolve"}, {docker.HostCapabilityPush, "push"}} {
		if h.Capabilities.Has(c.flag) {
			e.Capabilities = append(e.Capabilities, c.name)
		}
	}
	tr, ok := h.Client.Transport.(*http.Transport)
	if !ok {
		// 1.7's docker.NewHTTPFallback wraps the TLS transport: https first, then plain http.
		e.HTTPFallback = true
		tr = unwrapFallback(h.Client.Transport)
	}
	if tr == nil || tr.TLSClientConfig == nil {
		return e
	}
	tls := tr.TLSClientConfig
	e.SkipVerify = tls.InsecureSkipVerify
	e.ClientCerts = len(tls.Certificates)
	if tls.RootCAs != nil {
		for _, raw := range tls.RootCAs.Subjects() { //nolint:staticcheck // the pool is built from files, not the system store
			if systemSubjects[string(raw)] {
				continue
			}
			e.CAs = append(e.CAs, commonName(raw))
		}
	}
	return e
}
