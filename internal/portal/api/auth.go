package api

import "time"

// PasswordSignInRequest is the first step of the identifiant + password + OTP sign-in
// (POST /v1/signin/password). Identifiant may be the e-mail address when only one account has
// it. DeviceToken is the workstation's "remember me" token, if it has one.
type PasswordSignInRequest struct {
	Identifiant string `json:"identifiant"`
	Password    string `json:"password"`
	Workstation string `json:"workstation"`
	DeviceToken string `json:"device_token,omitempty"`
}

// PasswordSignInResponse is either a session straight away (the device token skipped the
// code) or a challenge waiting for a code sent to one of Channels (e-mail first).
type PasswordSignInResponse struct {
	ChallengeID string    `json:"challenge_id,omitempty"`
	Channels    []Channel `json:"channels,omitempty"`
	SignIn      *SignIn   `json:"signin,omitempty"`
}

// OTPSendRequest asks for a code (or a new one) on a channel kind (POST /v1/signin/otp/send).
type OTPSendRequest struct {
	ChallengeID string `json:"challenge_id"`
	Kind        string `json:"kind"`
}

// Delivery states of a sent code or message.
const (
	DeliveryPending   = "pending"   // still being tried: the code may arrive late
	DeliveryDelivered = "delivered" // accepted by the mail relay or the SMS gateway
)

// OTPSendResponse tells where the code went (masked) and how its delivery stands. A failed
// delivery is an error (CodeDeliveryFailed), never a 2xx.
type OTPSendResponse struct {
	SentTo      string `json:"sent_to"`
	Delivery    string `json:"delivery"`
	ResendAfter int    `json:"resend_after"` // seconds before a new code may be asked
}

// OTPVerifyRequest checks a typed code (POST /v1/signin/otp/verify). Remember asks for a
// device token valid 24 h on this workstation.
type OTPVerifyRequest struct {
	ChallengeID string `json:"challenge_id"`
	Code        string `json:"code"`
	Remember    bool   `json:"remember"`
}

// SetPasswordRequest sets the first password (Old empty), or changes it (PUT
// /v1/session/password). SignOutOthers ends the account's other sessions ("Se déconnecter des
// autres appareils").
type SetPasswordRequest struct {
	Old           string `json:"old,omitempty"`
	New           string `json:"new"`
	Confirm       string `json:"confirm"`
	SignOutOthers bool   `json:"sign_out_others"`
}

// SecretQuestions are the questions an account may choose (a fixed list, so that the decoy
// questions shown for unknown names look like real ones).
var SecretQuestions = []string{
	"Quel est le nom de votre premier animal de compagnie ?",
	"Quelle est la ville de naissance de votre mère ?",
	"Quel était le nom de votre école primaire ?",
	"Quel est le prénom de votre meilleur ami d'enfance ?",
	"Quel est le modèle de votre première voiture ?",
	"Dans quelle rue avez-vous grandi ?",
}

// SecretQuestionRequest sets the secret question (PUT /v1/session/secret-question).
type SecretQuestionRequest struct {
	Question string `json:"question"` // one of SecretQuestions
	Answer   string `json:"answer"`
}

// ChannelTestRequest sends a code to a new channel value ("Tester", POST
// /v1/session/channels/test); ChannelValidateRequest types it back ("Valider", POST
// /v1/session/channels/validate), which makes the channel active.
type ChannelTestRequest struct {
	Kind  string `json:"kind"`
	Value string `json:"value"`
}

// ChannelValidateRequest: see ChannelTestRequest.
type ChannelValidateRequest struct {
	Kind string `json:"kind"`
	Code string `json:"code"`
}

// Captcha is an arithmetic question ("Veuillez résoudre l'opération suivante : 9 + 0 =",
// GET /v1/recovery/captcha); Token goes back with the answer.
type Captcha struct {
	Question  string    `json:"question"`
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Recovery kinds.
const (
	RecoverPassword    = "password"
	RecoverIdentifiant = "identifiant"
)

// RecoveryStartRequest starts "J'ai oublié mon mot de passe" (Name = identifiant or e-mail)
// or "J'ai oublié mon identifiant" (Name = e-mail) after the captcha (POST /v1/recovery/start).
type RecoveryStartRequest struct {
	Kind          string `json:"kind"`
	Name          string `json:"name"`
	CaptchaToken  string `json:"captcha_token"`
	CaptchaAnswer string `json:"captcha_answer"`
}

// RecoveryStep shows the secret question. The answer looks the same whether the account
// exists or not.
type RecoveryStep struct {
	RecoveryID string `json:"recovery_id"`
	Question   string `json:"question"`
}

// RecoveryAnswerRequest answers the secret question (POST /v1/recovery/answer), or, in its
// place, gives the code sent to an active OTP channel (Code, after POST /v1/recovery/otp).
type RecoveryAnswerRequest struct {
	RecoveryID string `json:"recovery_id"`
	Answer     string `json:"answer,omitempty"`
	Code       string `json:"code,omitempty"`
}

// RecoveryOTPRequest asks for a code on the account's active channel of Kind instead of the
// secret question (seed 004: the OTP channels also serve to recover a forgotten password).
// The answer is a RecoveryDone whether a code was sent or not.
type RecoveryOTPRequest struct {
	RecoveryID string `json:"recovery_id"`
	Kind       string `json:"kind"`
}

// RecoveryDone is the same for every outcome ("Procédure terminée, merci de vérifier votre
// boîte aux lettres").
type RecoveryDone struct {
	Message string `json:"message"`
}

// LinkRequest carries the token of an e-mailed recovery link (POST /v1/recovery/link to see
// it, POST /v1/recovery/link/resend for a fresh one once it has expired).
type LinkRequest struct {
	Token string `json:"token"`
}

// LinkInfo is what a valid link opens: the account and the policy of the new password.
type LinkInfo struct {
	Identifiant string         `json:"identifiant"`
	ExpiresAt   time.Time      `json:"expires_at"`
	Policy      PasswordPolicy `json:"policy"`
}

// ResetPasswordRequest sets a new password through a link (POST /v1/recovery/reset).
type ResetPasswordRequest struct {
	Token   string `json:"token"`
	New     string `json:"new"`
	Confirm string `json:"confirm"`
}
