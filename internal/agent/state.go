// Package agent is cpx-agent's flow engine: an explicit state machine that the UI watches
// (Snapshot values on a Notify stream) and drives with Intents. It knows nothing of Fyne,
// PC/SC, PKCS#11 or HTTP: it talks to the small interfaces in ports.go, which cmd/ wires.
package agent

import (
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// Step is where the flow stands. The UI shows one screen per Step.
type Step int

const (
	StepWaitingCard     Step = iota // home: insert the card, or choose OTP / Pro Santé Connect
	StepCardPresent                 // card seen, being identified
	StepCardUnknown                 // the card in the reader is not a CPx card
	StepPIN                         // ask the card PIN (TriesLeft shown)
	StepCardBlocked                 // PIN blocked: explain how to unblock
	StepSigningIn                   // PIN verified, signing in to the portal
	StepChooseProfile               // required action: profile (last choice preselected)
	StepLinkPhone                   // required action: desk phone "numéro unique"
	StepSetPassword                 // required action: first password (policy checklist)
	StepOTPChannels                 // required action or menu: OTP channels (Tester → code → Valider)
	StepSignedIn                    // the communication banner
	StepLocked                      // card pulled with the "lock" policy: re-insert + PIN
	StepOTPIdentifiant              // OTP path: identifiant
	StepOTPPassword                 // OTP path: password
	StepOTPChannel                  // OTP path: choose the channel
	StepOTPCode                     // OTP path: 6-digit code
	StepChangePassword              // menu or required: old/new/confirm
	StepPSC                         // Pro Santé Connect: national id, push or browser
	StepECPS                        // e-CPS activation (hook; later issue)
	StepSettings                    // workstation settings + diagnostic
	StepSecretQuestion              // required action: secret question + answer (account recovery)
	StepRecoverName                 // « Identifiant / Mot de passe oublié ? »: name + arithmetic question
	StepRecoverQuestion             // recovery: the secret question
	StepRecoverDone                 // recovery: the one final sentence (mail sent if all was right)
	StepCardPINChange               // card self-service: current PIN, new PIN twice
	StepCardUnblock                 // card self-service: unblock code (PUK) and new PIN twice
	StepPSCPush                     // Pro Santé Connect: binding code shown, waiting for the phone
	StepPSCBrowser                  // Pro Santé Connect: waiting for the sign-in in the browser
)

var stepNames = [...]string{"waiting_card", "card_present", "card_unknown", "pin", "card_blocked",
	"signing_in", "choose_profile", "link_phone", "set_password", "otp_channels", "signed_in",
	"locked", "otp_identifiant", "otp_password", "otp_channel", "otp_code", "change_password",
	"psc", "ecps", "settings", "secret_question", "recover_name", "recover_question", "recover_done", "card_pin_change", "card_unblock",
	"psc_push", "psc_browser"}

func (s Step) String() string {
	if s >= 0 && int(s) < len(stepNames) {
		return stepNames[s]
	}
	return "unknown"
}

// CardView is what the UI may show of the card in the reader.
type CardView struct {
	Reader     string
	Family     string // "CPS", "CPE", … ("" while unknown)
	Generation string // "CPS3", "CPS4"
	HolderName string // from the certificate, once read
	Serial     string
}

// Snapshot is an immutable picture of the engine's state, sent on every change.
type Snapshot struct {
	Step      Step
	Busy      bool   // a wait is in progress: show a progress indicator
	BusyLabel string // message key of what is being waited for (see messages.go)
	Card      *CardView
	TriesLeft int  // PIN tries left, -1 when unknown
	Reading   bool // the card is being read (tries, holder) while the PIN screen shows

	Profiles      []api.Profile
	LastProfileID string
	LastPhone     string // remembered per workstation

	Session  *api.Session // nil until signed in
	TimeLeft time.Duration

	Policy   *api.PasswordPolicy
	Channels []api.Channel
	// OTP sign-in path
	Identifiant   string
	OTPChannels   []api.Channel // channels offered for the code
	OTPSentTo     string        // masked destination of the last code
	PendingAction string        // the channel kind being tested (OTP channel screen)

	SecretQuestions []string // questions the portal accepts (secret question screen)

	Recovery *RecoveryView // forgotten identifiant / password screens

	PSC *PSCView // Pro Santé Connect screens (nil elsewhere)

	// Settings screen: the last diagnostic report (plain text, no secret) and its verdict.
	Diagnostic   string
	DiagnosticOK bool

	Err    error  // last error for this step; the UI turns it into a French sentence
	Notice string // message key of an event to show (takeover, expiring …)
	Holder string // who took the phone over, for the takeover notice
}

// PSCView is what the Pro Santé Connect screens show: the national id (pre-filled from the last
// PSC sign-in on this workstation), and while a push waits its binding code and expiry.
type PSCView struct {
	NationalID  string
	BindingCode string    // 2 digits, shown large (push only)
	ExpiresAt   time.Time // end of the push's validity: the UI counts down to it
}

// Intent is something the user asked for. The UI sends them; the engine decides.
type Intent interface{ intent() }

type (
	ChooseCard    struct{}             // "CPX" on the home screen
	ChooseOTP     struct{}             // "OTP" on the home screen
	ChoosePSC     struct{}             // "Pro Santé Connect"
	ChooseECPS    struct{}             // "Activer ma e-CPS"
	SubmitPIN     struct{ PIN []byte } // zeroed by the engine after use
	Cancel        struct{}             // Esc / "Annuler"
	ChooseProfile struct{ ID string }  // profile list
	LinkPhone     struct {
		Number   string
		Takeover bool
	} // phone screen / takeover confirm
	SetPassword    struct{ New, Confirm []byte } // first password
	ChangePassword struct {
		Old, New, Confirm []byte
		SignOutOthers     bool
	}
	TestChannel       struct{ Kind, Value string } // "Tester"
	ValidateChannel   struct{ Kind, Code string }  // "Valider"
	RemoveChannel     struct{ Kind string }        //
	ChannelsDone      struct{}                     // leave the OTP channel screen
	SubmitIdentifiant struct{ Identifiant string } // OTP path
	SubmitPassword    struct{ Password []byte }    // OTP path
	SendCode          struct{ Kind string }        // OTP path: channel choice / resend
	SubmitCode        struct {
		Code     string
		Remember bool
	} // OTP path
	OpenChannels    struct{} // banner menu "Modifier mes canaux OTP"
	OpenChangePhone struct{} // banner "Changer de téléphone"
	OpenChangePwd   struct{} // banner menu "Modifier mon mot de passe"
	OpenSettings    struct{} // "Paramètres / Diagnostic"
	Lock            struct{} // banner "Verrouiller"
	SignOut         struct{} // banner "Se déconnecter"
	RunDiagnostic   struct{} // settings "Lancer le diagnostic"
	// SetSecretQuestion answers the secret question step: one of Snapshot.SecretQuestions and
	// the answer typed twice (zeroed by the engine after use).
	StartPSCPush      struct{ NationalID string } // « Recevoir une demande sur mon e-CPS »
	StartPSCBrowser   struct{ NationalID string } // « Se connecter avec le navigateur »
	SetSecretQuestion struct {
		Question        string
		Answer, Confirm []byte
	}
)

func (ChooseCard) intent()        {}
func (ChooseOTP) intent()         {}
func (ChoosePSC) intent()         {}
func (ChooseECPS) intent()        {}
func (SubmitPIN) intent()         {}
func (Cancel) intent()            {}
func (ChooseProfile) intent()     {}
func (LinkPhone) intent()         {}
func (SetPassword) intent()       {}
func (ChangePassword) intent()    {}
func (TestChannel) intent()       {}
func (ValidateChannel) intent()   {}
func (RemoveChannel) intent()     {}
func (ChannelsDone) intent()      {}
func (SubmitIdentifiant) intent() {}
func (SubmitPassword) intent()    {}
func (SendCode) intent()          {}
func (SubmitCode) intent()        {}
func (OpenChannels) intent()      {}
func (OpenChangePhone) intent()   {}
func (OpenChangePwd) intent()     {}
func (OpenSettings) intent()      {}
func (Lock) intent()              {}
func (SignOut) intent()           {}
func (RunDiagnostic) intent()     {}
func (SetSecretQuestion) intent() {}
func (StartPSCPush) intent()      {}
func (StartPSCBrowser) intent()   {}
