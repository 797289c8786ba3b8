package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// checklist shows the password rules, each ticked (✓) or crossed (✗) as the user types.
type checklist struct {
	obj    *fyne.Container
	policy *api.PasswordPolicy
	rules  []rule
}

func newChecklist(p *api.PasswordPolicy) *checklist {
	c := &checklist{obj: container.NewGridWithColumns(2), policy: p}
	c.update("", "")
	return c
}

// ok says whether every rule holds.
func (c *checklist) ok() bool { return allOK(c.rules) }

// update re-evaluates the rules against the new and confirm fields.
func (c *checklist) update(pw, confirm string) {
	c.rules = checkPassword(c.policy, pw, confirm)
	c.obj.RemoveAll()
	for _, r := range c.rules {
		var icon fyne.Resource = theme.NewErrorThemedResource(theme.CancelIcon())
		if r.OK {
			icon = theme.NewSuccessThemedResource(theme.ConfirmIcon())
		}
		text := T("pwd.rule."+r.Key, map[string]any{"N": r.N, "Chars": r.Chars})
		c.obj.Add(container.NewHBox(widget.NewIcon(icon), widget.NewLabel(text)))
	}
}
