package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/cpx-agent/cpx-agent/internal/agent"
	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// profilePage is StepChooseProfile: the user's profiles, the last choice on this workstation
// preselected so that Enter picks it; arrows move the choice.
func (u *UI) profilePage(s agent.Snapshot) *page {
	labels := make([]string, len(s.Profiles))
	for i, p := range s.Profiles {
		labels[i] = profileLabel(p)
	}
	list := widget.NewRadioGroup(labels, nil)
	list.Required = true
	if i := profileIndex(s.Profiles, s.LastProfileID); i >= 0 {
		list.SetSelected(labels[i])
	} else if len(labels) > 0 {
		list.SetSelected(labels[0])
	}
	submit := func() {
		for i, l := range labels {
			if l == list.Selected && !u.snap.Busy {
				u.send(agent.ChooseProfile{ID: s.Profiles[i].ID})
				return
			}
		}
	}
	keys := func(k *fyne.KeyEvent) bool {
		step := map[fyne.KeyName]int{fyne.KeyUp: -1, fyne.KeyDown: 1}[k.Name]
		if step == 0 || len(labels) == 0 {
			return false
		}
		cur := 0
		for i, l := range labels {
			if l == list.Selected {
				cur = i
			}
		}
		list.SetSelected(labels[(cur+step+len(labels))%len(labels)])
		return true
	}
	ok := primary(T("action.validate"), submit)
	cancel := widget.NewButton(T("action.cancel"), u.cancel)
	body := container.NewBorder(
		container.NewVBox(title(T("profile.title")), para(T("profile.intro"))),
		buttons(cancel, ok), nil, nil, container.NewVScroll(list))
	return &page{obj: body, submit: submit, keys: keys}
}

// profileLabel reads "ARM — SAMU 75".
func profileLabel(p api.Profile) string {
	if p.Entity.Name == "" {
		return p.Label
	}
	return p.Label + " — " + p.Entity.Name
}

func profileIndex(ps []api.Profile, id string) int {
	for i, p := range ps {
		if p.ID == id {
			return i
		}
	}
	return -1
}
