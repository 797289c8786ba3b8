package server

import (
	"errors"
	"net/http"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
	"github.com/cpx-agent/cpx-agent/internal/portal/otp"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
)

// listChannels: GET /v1/session/channels — the active channels, masked.
func (s *Server) listChannels(w http.ResponseWriter, r *http.Request, sess store.Session) {
	s.respondChannels(w, r, sess.UserID)
}

func (s *Server) respondChannels(w http.ResponseWriter, r *http.Request, userID string) {
	chs, err := s.st.ActiveChannels(r.Context(), userID)
	if err != nil {
		WriteError(w, s.authStoreError("channels", err))
		return
	}
	out := []api.Channel{}
	for _, ch := range chs {
		out = append(out, ch.API(true))
	}
	WriteJSON(w, http.StatusOK, out)
}

// testChannel: POST /v1/session/channels/test ("Tester", seed 004) — sends a code to the
// typed number or address; the channel becomes active only once the code is typed back. A
// new test waits out the resend delay of the previous one, and the same address keeps its
// resend cap.
func (s *Server) testChannel(w http.ResponseWriter, r *http.Request, sess store.Session) {
	var req api.ChannelTestRequest
	if e := Decode(r, &req); e != nil {
		WriteError(w, e)
		return
	}
	a, ctx, now := s.opts.Auth, r.Context(), s.st.Now()
	ch, err := otp.ParseChannel(req.Kind, req.Value, a.Phone)
	if err != nil {
		s.auditRefusal(r, sess, store.AuditChannelTest, api.CodeChannelInvalid, "kind "+req.Kind)
		WriteError(w, otp.APIError(err, now))
		return
	}
	prev, err := s.st.ChannelTest(ctx, sess.UserID, ch.Kind)
	switch {
	case err == nil && prev.OTP.Channel.Address == ch.Address && now.Before(prev.OTP.ExpiresAt.Add(a.ChallengeTTL)):
		s.issueAndSend(w, r, prev, ch, store.AuditChannelTest) // same address: a resend
		return
	case err == nil:
		if e := a.OTP.CanResend(prev.OTP, now); e != nil && !errors.Is(e, otp.ErrUsed) && !errors.Is(e, otp.ErrResendCap) {
			WriteError(w, otp.APIError(e, now))
			return
		}
	case !errors.Is(err, store.ErrNotFound):
		WriteError(w, s.authStoreError("channel test", err))
		return
	}
	c := store.Challenge{ID: store.NewID(), UserID: sess.UserID, Purpose: store.PurposeChannel,
		Workstation: sess.Workstation, CreatedAt: now, OTP: otp.Challenge{Channel: ch}}
	if err := s.st.AddChallenge(ctx, c, store.AuditEntry{}); err != nil {
		WriteError(w, s.authStoreError("channel test", err))
		return
	}
	s.issueAndSend(w, r, c, ch, store.AuditChannelTest)
}

// validateChannel: POST /v1/session/channels/validate ("Valider") — the code of the last test
// of that kind makes the channel active (replacing the previous one of its kind).
func (s *Server) validateChannel(w http.ResponseWriter, r *http.Request, sess store.Session) {
	var req api.ChannelValidateRequest
	if e := Decode(r, &req); e != nil {
		WriteError(w, e)
		return
	}
	ctx, now := r.Context(), s.st.Now()
	c, err := s.st.ChannelTest(ctx, sess.UserID, req.Kind)
	if errors.Is(err, store.ErrNotFound) {
		WriteError(w, &api.Error{Status: http.StatusConflict, Code: api.CodeOTPExpired,
			Message: "Aucun test en cours pour ce canal : cliquez sur « Tester »"})
		return
	}
	if err != nil {
		WriteError(w, s.authStoreError("channel test", err))
		return
	}
	if e := s.checkCode(r, c, req.Code); e != nil {
		WriteError(w, e)
		return
	}
	err = s.st.ActivateChannel(ctx, sess.UserID, c.OTP.Channel, c.ID, store.AuditEntry{Event: store.AuditChannelSet,
		At: now, SessionID: sess.ID, Workstation: sess.Workstation, Remote: r.RemoteAddr,
		Detail: c.OTP.Channel.Kind + " " + c.OTP.Channel.Masked()})
	if err != nil {
		WriteError(w, s.authStoreError("activate channel", err))
		return
	}
	s.respondChannels(w, r, sess.UserID)
}

// removeChannel: DELETE /v1/session/channels/{kind}.
func (s *Server) removeChannel(w http.ResponseWriter, r *http.Request, sess store.Session) {
	kind := r.PathValue("kind")
	err := s.st.RemoveChannel(r.Context(), sess.UserID, kind, store.AuditEntry{Event: store.AuditChannelRemove,
		SessionID: sess.ID, Workstation: sess.Workstation, Remote: r.RemoteAddr, Detail: kind})
	if errors.Is(err, store.ErrNotFound) {
		WriteError(w, &api.Error{Status: http.StatusNotFound, Code: api.CodeChannelInvalid, Message: "Ce canal n'est pas paramétré"})
		return
	}
	if err != nil {
		WriteError(w, s.authStoreError("remove channel", err))
		return
	}
	s.respondChannels(w, r, sess.UserID)
}
