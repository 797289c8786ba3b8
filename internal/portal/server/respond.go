package server

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"unicode"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// maxBody bounds request bodies.
const maxBody = 64 << 10

// WriteJSON writes v with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// WriteError writes an *api.Error (status 500 when unset) as {"error": {...}}.
func WriteError(w http.ResponseWriter, e *api.Error) {
	if e.Status == 0 {
		e.Status = http.StatusInternalServerError
	}
	WriteJSON(w, e.Status, api.ErrorBody{Error: e})
}

// Decode reads a JSON body into v; an empty body leaves v as it is. Errors are
// CodeInvalidRequest.
func Decode(r *http.Request, v any) *api.Error {
	dec := json.NewDecoder(io.LimitReader(r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return badRequest("body is not the expected JSON: " + err.Error())
	}
	return nil
}

func badRequest(msg string) *api.Error {
	return &api.Error{Status: http.StatusBadRequest, Code: api.CodeInvalidRequest, Message: msg}
}

func internalError() *api.Error {
	return &api.Error{Status: http.StatusInternalServerError, Code: api.CodeInternal, Message: "internal error"}
}

// validText accepts 1..max printable characters (workstation names, phone numbers, ids).
func validText(s string, max int) bool {
	if s == "" || len(s) > max || strings.TrimSpace(s) != s {
		return false
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}
