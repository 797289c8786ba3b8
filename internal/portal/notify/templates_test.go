package notify

import (
	"errors"
	"strings"
	"testing"
)

func TestRenderWording(t *testing.T) {
	r, err := Render(TmplOTPCode, "fr", Data{Code: "123456", Minutes: 5})
	if err != nil {
		t.Fatal(err)
	}
	if r.SMS != "Votre code de connexion SI-SAMU : 123456. Il est valable 5 minutes." {
		t.Errorf("OTP SMS = %q", r.SMS)
	}
	if r.Subject != "Votre code de connexion SI-SAMU" || !strings.Contains(r.Body, "123456") {
		t.Errorf("OTP e-mail = %+v", r)
	}
	r, _ = Render(TmplPasswordChanged, "", Data{Support: "0 800 74 74 00"})
	if !strings.Contains(r.Body, "Votre changement de mot de passe a bien été pris en compte.") ||
		!strings.Contains(r.Body, "Si vous n'avez pas effectué ce changement, merci de contacter le support au 0 800 74 74 00.") {
		t.Errorf("password changed = %q", r.Body)
	}
	r, _ = Render(TmplRecoveryLink, "fr", Data{Identifiant: "jean.dupont", Link: "https://portail/r/abc", Minutes: 15})
	if !strings.Contains(r.Body, "https://portail/r/abc") || !strings.Contains(r.Body, "durée de validité de 15 minutes") {
		t.Errorf("recovery = %q", r.Body)
	}
	r, _ = Render(TmplProvisionalPassword, "fr", Data{Identifiant: "jean.dupont", Password: "Xy7!provisoire"})
	if !strings.Contains(r.Body, "Pour votre première connexion, utilisez le mot de passe provisoire suivant : Xy7!provisoire") ||
		!strings.Contains(r.Body, "définir votre mot de passe définitif et personnel") {
		t.Errorf("provisional = %q", r.Body)
	}
	r, _ = Render(TmplIdentifiantReminder, "en", Data{Identifiant: "jean.dupont", Service: "Portail"})
	if !strings.Contains(r.Body, "Your Portail sign-in identifiant is: jean.dupont") {
		t.Errorf("reminder en = %q", r.Body)
	}
}

func TestRenderRefusesMissingData(t *testing.T) {
	for _, c := range []struct {
		name string
		d    Data
	}{
		{TmplOTPCode, Data{Minutes: 5}},
		{TmplOTPCode, Data{Code: "123456"}},
		{TmplRecoveryLink, Data{Identifiant: "a.b", Minutes: 15}},
		{TmplProvisionalPassword, Data{Identifiant: "a.b"}},
		{"nope", Data{}},
	} {
		if _, err := Render(c.name, "fr", c.d); !errors.Is(err, ErrTemplate) {
			t.Errorf("Render(%s, %+v) err = %v", c.name, c.d, err)
		}
	}
	if _, err := Render(TmplOTPCode, "de", Data{Code: "1", Minutes: 1}); !errors.Is(err, ErrTemplate) {
		t.Error("unknown language accepted")
	}
	for name, langs := range catalogue {
		for lang := range langs {
			d := Data{Code: "123456", Minutes: 5, Identifiant: "a.b", Link: "https://x", Password: "p"}
			if _, err := Render(name, lang, d); err != nil {
				t.Errorf("Render(%s, %s): %v", name, lang, err)
			}
		}
	}
}
