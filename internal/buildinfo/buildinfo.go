// Package buildinfo holds the version of the cpx-agent binaries, set at link time from the
// repository's VERSION file and build number (see the Makefile):
//
//	-ldflags "-X github.com/cpx-agent/cpx-agent/internal/buildinfo.version=0.2.318
//	          -X github.com/cpx-agent/cpx-agent/internal/buildinfo.commit=317e564"
//
// The same string is the deb/rpm version and the MSI ProductVersion (major.minor.build), so
// what `cpx-agent version` prints is what the package manager shows.
package buildinfo

import (
	"fmt"
	"runtime"
)

// Set by the linker; "dev" and "" for a plain `go build`.
var (
	version = "dev"
	commit  = ""
)

// Version is the release version (major.minor.build), or "dev".
func Version() string { return version }

// Commit is the short commit hash of the build, or "".
func Commit() string { return commit }

// Info is the version data of doctor --json and of support bundles.
type Info struct {
	Program string `json:"program"`
	Version string `json:"version"`
	Commit  string `json:"commit,omitempty"`
	Go      string `json:"go"`
	OS      string `json:"os"`
	Arch    string `json:"arch"`
}

// For describes program's build.
func For(program string) Info {
	return Info{Program: program, Version: version, Commit: commit, Go: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH}
}

// String is the one line `PROGRAM version` prints: "cpx-agent 0.2.318 (commit 317e564, go1.24.4, linux/amd64)".
func (i Info) String() string {
	c := ""
	if i.Commit != "" {
		c = "commit " + i.Commit + ", "
	}
	return fmt.Sprintf("%s %s (%s%s, %s/%s)", i.Program, i.Version, c, i.Go, i.OS, i.Arch)
}
