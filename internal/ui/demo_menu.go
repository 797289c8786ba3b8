package ui

import (
	"time"

	"github.com/cpx-agent/cpx-agent/internal/agent"
	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// menu plays the banner's and the settings' intents.
func (d *DemoEngine) menu(s agent.Snapshot, i agent.Intent) {
	home := agent.Snapshot{Step: agent.StepWaitingCard, TriesLeft: -1}
	switch in := i.(type) {
	case agent.OpenChannels:
		s.Step, s.Channels, s.PendingAction = agent.StepOTPChannels, demoChannels, ""
	case agent.TestChannel:
		s.PendingAction = in.Kind
	case agent.ValidateChannel:
		s.PendingAction, s.Notice = "", agent.NoticeChannelValidated
		s.Channels = append(withoutKind(s.Channels, in.Kind), api.Channel{Kind: in.Kind, Masked: "•••", Active: true})
	case agent.RemoveChannel:
		s.Channels = withoutKind(s.Channels, in.Kind)
	case agent.ChannelsDone:
		s.Step = agent.StepSignedIn
	case agent.OpenChangePwd:
		s.Step, s.Policy = agent.StepChangePassword, demoPolicy
	case agent.ChangePassword, agent.SetPassword:
		s.Step = agent.StepSignedIn
	case agent.SetSecretQuestion:
		clear(in.Answer)
		clear(in.Confirm)
		s.Step = agent.StepSignedIn
	case agent.OpenChangePhone:
		s.Step = agent.StepLinkPhone
	case agent.Lock:
		s.Step = agent.StepLocked
	case agent.SignOut:
		s = home
	case agent.ChoosePSC:
		s.Step, s.PSC = agent.StepPSC, &agent.PSCView{NationalID: "899700427885"}
	case agent.StartPSCPush:
		d.pscPush(s, in.NationalID)
		return
	case agent.ChooseECPS:
		s.Step = agent.StepECPS
	case agent.OpenSettings:
		d.back, s.Step, s.Diagnostic = s.Step, agent.StepSettings, ""
	case agent.RunDiagnostic:
		s.Diagnostic, s.DiagnosticOK = demoReport, false
		d.later(agent.BusyDiagnosing, s)
		return
	case agent.Cancel:
		s = d.cancel(s, home)
	}
	d.set(s)
}

func (d *DemoEngine) cancel(s, home agent.Snapshot) agent.Snapshot {
	switch {
	case s.Step == agent.StepSettings:
		s.Step, s.Diagnostic = d.back, ""
	case s.Session != nil && s.Step != agent.StepLocked:
		s.Step = agent.StepSignedIn
	default:
		s = home
	}
	return s
}

func withoutKind(cs []api.Channel, kind string) []api.Channel {
	var out []api.Channel
	for _, c := range cs {
		if c.Kind != kind {
			out = append(out, c)
		}
	}
	return out
}

// pscPush shows the binding code, then plays the phone's approval after a few seconds.
func (d *DemoEngine) pscPush(s agent.Snapshot, id string) {
	s.Step, s.Err = agent.StepPSCPush, nil
	s.PSC = &agent.PSCView{NationalID: id, BindingCode: "42", ExpiresAt: time.Now().Add(2 * time.Minute)}
	d.set(s)
	next := s
	next.Step, next.PSC, next.LastPhone = agent.StepLinkPhone, nil, "4021"
	d.later(agent.BusyPSCWaiting, next)
}
