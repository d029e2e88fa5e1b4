// Command moby-oracle prints what Docker Engine's own registry package (moby
// 20.10.24, Debian 12's golang-github-docker-docker-dev) makes of a daemon's
// registry options: registry.NewService (insecure-registries with the built-in
// 127.0.0.0/8, registry-mirrors) and LookupPullEndpoints for one registry,
// which reads /etc/docker/certs.d/<host>/ and resolves host names for the CIDR
// match. The test runs it in a private mount namespace with its own
// /etc/docker and /etc/hosts bind-mounted (scripts/oracle/moby.sh).
//
// stdin: JSON array of {"id","insecure","mirrors","registry"}; stdout: one JSON object per case.
package main

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/json"
	"fmt"
	"os"

	"github.com/docker/docker/registry"
)

type input struct {
	ID       string   `json:"id"`
	Insecure []string `json:"insecure"`
	Mirrors  []string `json:"mirrors"`
	Registry string   `json:"registry"`
}

type endpoint struct {
	Scheme      string   `json:"scheme"`
	Host        string   `json:"host"`
	Mirror      bool     `json:"mirror"`
	SkipVerify  bool     `json:"skipVerify"`
	CAs         []string `json:"cas"`
	ClientCerts int      `json:"clientCerts"`
}

type output struct {
	ID          string     `json:"id"`
	ConfigError string     `json:"configError,omitempty"`
	Error       string     `json:"error,omitempty"`
	Endpoints   []endpoint `json:"endpoints"`
}

var systemSubjects = map[string]bool{}

func main() {
	var cases []input
	if err := json.NewDecoder(os.Stdin).Decode(&cases); err != nil {
		fmt.Fprintln(os.Stderr, "moby-oracle:", err)
		os.Exit(2)
	}
	if pool, err := x509.SystemCertPool(); err == nil {
		for _, s := range pool.Subjects() { //nolint:staticcheck
			systemSubjects[string(s)] = true
		}
	}
	enc := json.NewEncoder(os.Stdout)
	for _, c := range cases {
		_ = enc.Encode(resolve(c))
	}
}

func resolve(c input) output {
	out := output{ID: c.ID, Endpoints: []endpoint{}}
	svc, err := registry.NewService(registry.ServiceOptions{InsecureRegistries: c.Insecure, Mirrors: c.Mirrors})
	if err != nil {
		out.ConfigError = err.Error()
		return out
	}
	eps, err := svc.LookupPullEndpoints(c.Registry)
	if err != nil {
		out.Error = err.Error()
		return out
	}
	for _, e := range eps {
		d := endpoint{Scheme: e.URL.Scheme, Host: e.URL.Host, Mirror: e.Mirror, CAs: []string{}}
		if e.TLSConfig != nil {
			d.SkipVerify = e.TLSConfig.InsecureSkipVerify
			d.ClientCerts = len(e.TLSConfig.Certificates)
			if e.TLSConfig.RootCAs != nil {
				for _, raw := range e.TLSConfig.RootCAs.Subjects() { //nolint:staticcheck
					if !systemSubjects[string(raw)] {
						d.CAs = append(d.CAs, commonName(raw))
					}
				}
			}
		}
		out.Endpoints = append(out.Endpoints, d)
	}
	return out
}

func commonName(raw []byte) string {
	var seq pkix.RDNSequence
	if _, err := asn1.Unmarshal(raw, &seq); err != nil {
		return "?"
	}
	var name pkix.Name
	name.FillFromRDNSequence(&seq)
	return name.CommonName
}
