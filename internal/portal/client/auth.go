package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// SignInPassword sends identifiant + password (and the workstation's device token, if any):
// a session at once when the token is still valid, else a challenge waiting for a code.
func (c *Client) SignInPassword(ctx context.Context, identifiant string, password []byte, workstation, deviceToken string) (api.PasswordSignInResponse, error) {
	var out api.PasswordSignInResponse
	err := c.do(ctx, c.http, http.MethodPost, "/signin/password", "", api.PasswordSignInRequest{
		Identifiant: identifiant, Password: string(password), Workstation: workstation, DeviceToken: deviceToken}, &out)
	return out, err
}

// SendOTP asks for a code (or a new one) on kind ("" = e-mail first) and returns where it went,
// masked. A delivery that failed is an *api.Error with api.CodeDeliveryFailed.
func (c *Client) SendOTP(ctx context.Context, challengeID, kind string) (string, error) {
	r, err := c.SendOTPStatus(ctx, challengeID, kind)
	return r.SentTo, err
}

// SendOTPStatus is SendOTP with the delivery state and the resend delay.
func (c *Client) SendOTPStatus(ctx context.Context, challengeID, kind string) (api.OTPSendResponse, error) {
	var out api.OTPSendResponse
	err := c.do(ctx, c.http, http.MethodPost, "/signin/otp/send", "", api.OTPSendRequest{ChallengeID: challengeID, Kind: kind}, &out)
	return out, err
}

// VerifyOTP types the code back; remember asks for a 24 h device token (api.SignIn.DeviceToken).
func (c *Client) VerifyOTP(ctx context.Context, challengeID, code string, remember bool) (api.SignIn, error) {
	var out api.SignIn
	err := c.do(ctx, c.http, http.MethodPost, "/signin/otp/verify", "", api.OTPVerifyRequest{ChallengeID: challengeID,
		Code: code, Remember: remember}, &out)
	return out, err
}

// SetPassword sets the first password (old nil) or changes it; the confirmation is new itself
// (the UI compares its two fields before calling).
func (c *Client) SetPassword(ctx context.Context, token string, old, new []byte, signOutOthers bool) (api.Session, error) {
	var out api.Session
	err := c.do(ctx, c.http, http.MethodPut, "/session/password", token, api.SetPasswordRequest{Old: string(old),
		New: string(new), Confirm: string(new), SignOutOthers: signOutOthers}, &out)
	return out, err
}

// SetSecretQuestion sets the secret question (one of api.SecretQuestions) and its answer.
func (c *Client) SetSecretQuestion(ctx context.Context, token, question, answer string) (api.Session, error) {
	var out api.Session
	err := c.do(ctx, c.http, http.MethodPut, "/session/secret-question", token,
		api.SecretQuestionRequest{Question: question, Answer: answer}, &out)
	return out, err
}

// Channels lists the session user's active OTP channels, masked.
func (c *Client) Channels(ctx context.Context, token string) ([]api.Channel, error) {
	var out []api.Channel
	err := c.do(ctx, c.http, http.MethodGet, "/session/channels", token, nil, &out)
	return out, err
}

// TestChannel sends a code to a new mobile number or e-mail address ("Tester").
func (c *Client) TestChannel(ctx context.Context, token, kind, value string) error {
	return c.do(ctx, c.http, http.MethodPost, "/session/channels/test", token, api.ChannelTestRequest{Kind: kind, Value: value}, nil)
}

// ValidateChannel types the test code back ("Valider"): the channel becomes active.
func (c *Client) ValidateChannel(ctx context.Context, token, kind, code string) ([]api.Channel, error) {
	var out []api.Channel
	err := c.do(ctx, c.http, http.MethodPost, "/session/channels/validate", token, api.ChannelValidateRequest{Kind: kind, Code: code}, &out)
	return out, err
}

// RemoveChannel removes the channel of kind.
func (c *Client) RemoveChannel(ctx context.Context, token, kind string) ([]api.Channel, error) {
	var out []api.Channel
	err := c.do(ctx, c.http, http.MethodDelete, "/session/channels/"+url.PathEscape(kind), token, nil, &out)
	return out, err
}

// Captcha fetches an arithmetic question for a recovery form.
func (c *Client) Captcha(ctx context.Context) (api.Captcha, error) {
	var out api.Captcha
	err := c.do(ctx, c.http, http.MethodGet, "/recovery/captcha", "", nil, &out)
	return out, err
}

// RecoveryStart starts a forgotten-password (name = identifiant or e-mail) or
// forgotten-identifiant (name = e-mail) recovery and returns the secret question.
func (c *Client) RecoveryStart(ctx context.Context, req api.RecoveryStartRequest) (api.RecoveryStep, error) {
	var out api.RecoveryStep
	err := c.do(ctx, c.http, http.MethodPost, "/recovery/start", "", req, &out)
	return out, err
}

// RecoveryAnswer answers the secret question; the message is the same whatever happened.
func (c *Client) RecoveryAnswer(ctx context.Context, recoveryID, answer string) (string, error) {
	var out api.RecoveryDone
	err := c.do(ctx, c.http, http.MethodPost, "/recovery/answer", "", api.RecoveryAnswerRequest{RecoveryID: recoveryID, Answer: answer}, &out)
	return out.Message, err
}

// LinkInfo tells what an e-mailed link opens (api.CodeLinkInvalid once used or expired).
func (c *Client) LinkInfo(ctx context.Context, token string) (api.LinkInfo, error) {
	var out api.LinkInfo
	err := c.do(ctx, c.http, http.MethodPost, "/recovery/link", "", api.LinkRequest{Token: token}, &out)
	return out, err
}

// ResendLink asks for a fresh link in place of an expired one.
func (c *Client) ResendLink(ctx context.Context, token string) (string, error) {
	var out api.RecoveryDone
	err := c.do(ctx, c.http, http.MethodPost, "/recovery/link/resend", "", api.LinkRequest{Token: token}, &out)
	return out.Message, err
}

// ResetPassword sets a new password through a link.
func (c *Client) ResetPassword(ctx context.Context, token string, new, confirm []byte) error {
	return c.do(ctx, c.http, http.MethodPost, "/recovery/reset", "", api.ResetPasswordRequest{Token: token,
		New: string(new), Confirm: string(confirm)}, nil)
}

// RecoveryOTP asks for a code on the account's active channel of kind in place of the secret
// question; the message is the same whether a code went out or not.
func (c *Client) RecoveryOTP(ctx context.Context, recoveryID, kind string) (string, error) {
	var out api.RecoveryDone
	err := c.do(ctx, c.http, http.MethodPost, "/recovery/otp", "", api.RecoveryOTPRequest{RecoveryID: recoveryID, Kind: kind}, &out)
	return out.Message, err
}

// RecoveryCode gives the code of RecoveryOTP in place of the secret answer.
func (c *Client) RecoveryCode(ctx context.Context, recoveryID, code string) (string, error) {
	var out api.RecoveryDone
	err := c.do(ctx, c.http, http.MethodPost, "/recovery/answer", "", api.RecoveryAnswerRequest{RecoveryID: recoveryID, Code: code}, &out)
	return out.Message, err
}

// OTPDelivery polls the delivery of the last code of a challenge (after a "pending" send):
// api.DeliveryPending or api.DeliveryDelivered, or *api.Error with api.CodeDeliveryFailed.
func (c *Client) OTPDelivery(ctx context.Context, challengeID string) (api.OTPSendResponse, error) {
	var out api.OTPSendResponse
	err := c.do(ctx, c.http, http.MethodGet, "/signin/otp/delivery?challenge_id="+url.QueryEscape(challengeID), "", nil, &out)
	return out, err
}
