// Command cimage-oracle prints what containers/image's own code (Debian 12's
// golang-github-containers-image-dev, 5.23.1: CRI-O, podman, skopeo) makes of
// a node tree: sysregistriesv2.FindRegistry + PullSourcesFromReference over
// registries.conf (user file, system file, drop-ins) and the per-host
// certificate directory (docker.dockerCertDir, reached with go:linkname since
// it is unexported) loaded by tlsclientconfig.SetupCertificates.
// Each case's tree is a node root: RootForImplicitAbsolutePaths points at it, and
// the caller runs one process per tree with HOME=<root>/root (containers/storage
// caches the home directory per process).
//
// stdin: JSON array of {"id","root","ref"}; stdout: one JSON object per case.
package main

import (
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/json"
	"fmt"
	"os"
	_ "unsafe"

	_ "github.com/containers/image/v5/docker"
	"github.com/containers/image/v5/docker/reference"
	"github.com/containers/image/v5/pkg/sysregistriesv2"
	"github.com/containers/image/v5/pkg/tlsclientconfig"
	"github.com/containers/image/v5/types"
)

//go:linkname dockerCertDir github.com/containers/image/v5/docker.dockerCertDir
func dockerCertDir(sys *types.SystemContext, hostPort string) (string, error)

type input struct {
	ID   string `json:"id"`
	Root string `json:"root"`
	Ref  string `json:"ref"`
}

type source struct {
	Reference string `json:"reference"`
	Insecure  bool   `json:"insecure"`
}

type output struct {
	ID          string   `json:"id"`
	ConfError   string   `json:"confError,omitempty"`
	Found       bool     `json:"found"`
	Blocked     bool     `json:"blocked"`
	Sources     []source `json:"sources"`
	CertDir     string   `json:"certDir"`
	CertError   string   `json:"certError,omitempty"`
	CAs         []string `json:"cas"`
	ClientCerts int      `json:"clientCerts"`
}

var systemSubjects = map[string]bool{}

func main() {
	var cases []input
	if err := json.NewDecoder(os.Stdin).Decode(&cases); err != nil {
		fmt.Fprintln(os.Stderr, "cimage-oracle:", err)
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
	out := output{ID: c.ID, Sources: []source{}, CAs: []string{}}
	sys := &types.SystemContext{RootForImplicitAbsolutePaths: c.Root}
	named, err := reference.ParseNormalizedNamed(c.Ref)
	if err != nil {
		out.ConfError = err.Error()
		return out
	}
	reg, err := sysregistriesv2.FindRegistry(sys, c.Ref)
	if err != nil {
		out.ConfError = err.Error()
	} else if reg != nil {
		out.Found = true
		out.Blocked = reg.Blocked
		srcs, err := reg.PullSourcesFromReference(named)
		if err != nil {
			out.ConfError = err.Error()
		}
		for _, s := range srcs {
			out.Sources = append(out.Sources, source{Reference: s.Reference.String(), Insecure: s.Endpoint.Insecure})
		}
	}
	dir, err := dockerCertDir(sys, reference.Domain(named))
	if err != nil {
		out.CertError = err.Error()
		return out
	}
	out.CertDir = dir
	tlsc := &tls.Config{}
	if err := tlsclientconfig.SetupCertificates(dir, tlsc); err != nil {
		out.CertError = err.Error()
		return out
	}
	out.ClientCerts = len(tlsc.Certificates)
	if tlsc.RootCAs != nil {
		for _, raw := range tlsc.RootCAs.Subjects() { //nolint:staticcheck
			if !systemSubjects[string(raw)] {
				out.CAs = append(out.CAs, commonName(raw))
			}
		}
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
