package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cpx-agent/cpx-agent/internal/card"
)

// checkReader tells apart "no such reader" from "no card in it" (QA S2-18): when name is not
// one of pcscd's readers it returns a reader_not_found error listing the readers present.
// It only lists names (SCardListReaders): no card is touched.
func checkReader(name string) error {
	if name == "" {
		return nil
	}
	readers, err := card.ReaderNames()
	if err != nil {
		return nil // pcscd down: the PKCS#11 error that follows says it
	}
	if slices.Contains(readers, name) {
		return nil
	}
	present := "aucun"
	if len(readers) > 0 {
		present = strings.Join(readers, ", ")
	}
	return &cliError{Code: codeReaderNotFound, exit: exitError,
		Message: fmt.Sprintf("Lecteur « %s » introuvable. Lecteurs présents : %s.", name, present)}
}
