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
	out, e := s.channels(r, sess.UserID)
	answer(w, out, e)
}

func (s *Server) channels(r *http.Request, userID string) ([]api.Channel, *api.Error) {
	chs, err := s.st.ActiveChannels(r.Context(), userID)
	if err != nil {
		return nil, s.authStoreError("channels", err)
	}
	out := []api.Channel{}
	for _, ch := range chs {
		out = append(out, ch.API(true))
	}
	return out, nil
}

// testChannel: POST /v1/session/channels/test ("Tester", seed 004) — sends a code to the
// typed number or address; the channel becomes active only once the code is typed back. A
// new test waits out the resend delay of the previous one, and the same address keeps its
// resend cap.
func (s *Server) testChannel(r *http.Request, sess store.Session, req api.ChannelTestRequest) (api.OTPSendResponse, *api.Error) {
	a, ctx, now := s.opts.Auth, r.Context(), s.st.Now()
	ch, err := otp.ParseChannel(req.Kind, req.Value, a.Phone)
	if err != nil {
		s.auditRefusal(r, sess, store.AuditChannelTest, api.CodeChannelInvalid, "kind "+req.Kind)
		return api.OTPSendResponse{}, otp.APIError(err, now)
	}
	prev, err := s.st.ChannelTest(ctx, sess.UserID, ch.Kind)
	switch {
	case err == nil && prev.OTP.Channel.Address == ch.Address && now.Before(prev.OTP.ExpiresAt.Add(a.ChallengeTTL)):
		return s.issueAndSend(r, prev, ch, store.AuditChannelTest) // same address: a resend
	case err == nil:
		if e := a.OTP.CanResend(prev.OTP, now); e != nil && !errors.Is(e, otp.ErrUsed) && !errors.Is(e, otp.ErrResendCap) {
			return api.OTPSendResponse{}, otp.APIError(e, now)
		}
	case !errors.Is(err, store.ErrNotFound):
		return api.OTPSendResponse{}, s.authStoreError("channel test", err)
	}
	c := store.Challenge{ID: store.NewID(), UserID: sess.UserID, Purpose: store.PurposeChannel,
		Workstation: sess.Workstation, CreatedAt: now, OTP: otp.Challenge{Channel: ch}}
	if err := s.st.AddChallenge(ctx, c, store.AuditEntry{}); err != nil {
		return api.OTPSendResponse{}, s.authStoreError("channel test", err)
	}
	return s.issueAndSend(r, c, ch, store.AuditChannelTest)
}

// validateChannel: POST /v1/session/channels/validate ("Valider") — the code of the last test
// of that kind makes the channel active (replacing the previous one of its kind).
func (s *Server) validateChannel(r *http.Request, sess store.Session, req api.ChannelValidateRequest) ([]api.Channel, *api.Error) {
	ctx, now := r.Context(), s.st.Now()
	c, err := s.st.ChannelTest(ctx, sess.UserID, req.Kind)
	if errors.Is(err, store.ErrNotFound) {
		return nil, &api.Error{Status: http.StatusConflict, Code: api.CodeOTPExpired,
			Message: "Aucun test en cours pour ce canal : cliquez sur « Tester »"}
	}
	if err != nil {
		return nil, s.authStoreError("channel test", err)
	}
	if e := s.checkCode(r, c, req.Code); e != nil {
		return nil, e
	}
	err = s.st.ActivateChannel(ctx, sess.UserID, c.OTP.Channel, c.ID, store.AuditEntry{Event: store.AuditChannelSet,
		At: now, SessionID: sess.ID, Workstation: sess.Workstation, Remote: r.RemoteAddr,
		Detail: c.OTP.Channel.Kind + " " + c.OTP.Channel.Masked()})
	if err != nil {
		return nil, s.authStoreError("activate channel", err)
	}
	return s.channels(r, sess.UserID)
}

// removeChannel: DELETE /v1/session/channels/{kind}.
func (s *Server) removeChannel(w http.ResponseWriter, r *http.Request, sess store.Session) {
	kind := r.PathValue("kind")
	err := s.st.RemoveChannel(r.Context(), sess.UserID, kind, store.AuditEntry{Event: store.AuditChannelRemove,
		SessionID: sess.ID, Workstation: sess.Workstation, Remote: r.RemoteAddr, Detail: kind})
	switch {
	case errors.Is(err, store.ErrNotFound):
		WriteError(w, &api.Error{Status: http.StatusNotFound, Code: api.CodeChannelInvalid, Message: "Ce canal n'est pas paramétré"})
	case err != nil:
		WriteError(w, s.authStoreError("remove channel", err))
	default:
		s.listChannels(w, r, sess)
	}
}
