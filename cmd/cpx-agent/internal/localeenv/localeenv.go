// Package localeenv keeps Fyne's locale lookup quiet on servers whose locale is C.UTF-8 or
// POSIX.UTF-8 (QA S2-10). Fyne's lang package reads the locale in its package init, through
// github.com/jeandeaual/go-locale, which knows "C" and "POSIX" but not "C.UTF-8", and so logs
// "Fyne error: Error parsing user locale C" on every command, CLI ones included.
//
// Import it blank from package main. It imports only the standard library, so by the Go
// initialisation order (ready packages are initialised in import-path order, and
// github.com/cpx-agent/… sorts before github.com/jeandeaual/go-locale) its init runs before
// go-locale's and Fyne's.
package localeenv

import (
	"os"
	"strings"
)

func init() { Fix(os.Getenv, os.Setenv) }

// Fix sets LC_MESSAGES=C when the variable that decides the messages' language (LC_ALL,
// LC_MESSAGES, then LANG, as gettext and go-locale read them) is a C or POSIX locale with an
// encoding suffix. The messages category of C.UTF-8 and C is the same (no translation), so
// nothing else changes. LC_ALL=C.UTF-8 is left alone: overriding it would change the encoding
// of child processes.
func Fix(getenv func(string) string, setenv func(string, string) error) {
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := getenv(name)
		if v == "" {
			continue
		}
		lang, _, found := strings.Cut(v, ".")
		if found && (lang == "C" || lang == "POSIX") && name != "LC_ALL" {
			_ = setenv("LC_MESSAGES", "C")
		}
		return
	}
}
