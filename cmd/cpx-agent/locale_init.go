package main

// Imported for its init: quiets Fyne's locale error under LANG=C.UTF-8 (QA S2-10).
import _ "github.com/cpx-agent/cpx-agent/cmd/cpx-agent/internal/localeenv"
