package notify

// catalogue holds the French and English wording of every template. French wording follows
// the seeds: seed 001 for the password-change confirmation and the provisional password,
// seed 000 for the 15-minute recovery link and the identifiant reminder.
var catalogue = map[string]map[string]tmpl{
	TmplOTPCode: {
		"fr": {need: []string{"Code", "Minutes"},
			subject: "Votre code de connexion {{.Service}}",
			body: "Bonjour,\n\nVotre code de connexion {{.Service}} : {{.Code}}. Il est valable {{.Minutes}} minutes.\n\n" +
				"Si vous n'êtes pas à l'origine de cette demande, ignorez ce message et changez votre mot de passe.\n",
			sms: "Votre code de connexion {{.Service}} : {{.Code}}. Il est valable {{.Minutes}} minutes."},
		"en": {need: []string{"Code", "Minutes"},
			subject: "Your {{.Service}} sign-in code",
			body: "Hello,\n\nYour {{.Service}} sign-in code: {{.Code}}. It is valid for {{.Minutes}} minutes.\n\n" +
				"If you did not ask for it, ignore this message and change your password.\n",
			sms: "Your {{.Service}} sign-in code: {{.Code}}. It is valid for {{.Minutes}} minutes."},
	},
	TmplPasswordChanged: {
		"fr": {subject: "{{.Service}} : votre mot de passe a été modifié",
			body: "Bonjour,\n\nVotre changement de mot de passe a bien été pris en compte.\n\n" +
				"Si vous n'avez pas effectué ce changement, merci de contacter le support{{if .Support}} au {{.Support}}{{end}}.\n",
			sms: "{{.Service}} : votre mot de passe a été modifié. Si vous n'avez pas effectué ce changement, merci de contacter le support{{if .Support}} au {{.Support}}{{end}}."},
		"en": {subject: "{{.Service}}: your password was changed",
			body: "Hello,\n\nYour password change has been recorded.\n\n" +
				"If you did not make this change, contact the support{{if .Support}} at {{.Support}}{{end}}.\n",
			sms: "{{.Service}}: your password was changed. If you did not make this change, contact the support{{if .Support}} at {{.Support}}{{end}}."},
	},
	TmplRecoveryLink: {
		"fr": {need: []string{"Identifiant", "Link", "Minutes"},
			subject: "{{.Service}} : réinitialisation de votre mot de passe",
			body: "Bonjour,\n\nUne réinitialisation du mot de passe de l'identifiant {{.Identifiant}} a été demandée.\n" +
				"Pour définir un nouveau mot de passe, ouvrez le lien suivant :\n\n{{.Link}}\n\n" +
				"Ce lien a une durée de validité de {{.Minutes}} minutes. Au-delà, vous pourrez demander l'envoi d'un nouveau lien.\n" +
				"Si vous n'êtes pas à l'origine de cette demande, ignorez ce message.\n"},
		"en": {need: []string{"Identifiant", "Link", "Minutes"},
			subject: "{{.Service}}: reset your password",
			body: "Hello,\n\nA password reset was requested for the identifiant {{.Identifiant}}.\n" +
				"To choose a new password, open this link:\n\n{{.Link}}\n\n" +
				"The link is valid for {{.Minutes}} minutes. After that, you can ask for a new one.\n" +
				"If you did not ask for it, ignore this message.\n"},
	},
	TmplIdentifiantReminder: {
		"fr": {need: []string{"Identifiant"},
			subject: "{{.Service}} : votre identifiant de connexion",
			body: "Bonjour,\n\nVotre identifiant de connexion {{.Service}} est : {{.Identifiant}}\n\n" +
				"Si vous n'êtes pas à l'origine de cette demande, ignorez ce message.\n"},
		"en": {need: []string{"Identifiant"},
			subject: "{{.Service}}: your sign-in identifiant",
			body: "Hello,\n\nYour {{.Service}} sign-in identifiant is: {{.Identifiant}}\n\n" +
				"If you did not ask for it, ignore this message.\n"},
	},
	TmplProvisionalPassword: {
		"fr": {need: []string{"Identifiant", "Password"},
			subject: "{{.Service}} : vos informations de première connexion",
			body: "Bonjour,\n\nVotre identifiant de connexion est : {{.Identifiant}}\n\n" +
				"Pour votre première connexion, utilisez le mot de passe provisoire suivant : {{.Password}}\n\n" +
				"Vous pourrez ensuite définir votre mot de passe définitif et personnel pour votre compte.\n"},
		"en": {need: []string{"Identifiant", "Password"},
			subject: "{{.Service}}: your first sign-in",
			body: "Hello,\n\nYour sign-in identifiant is: {{.Identifiant}}\n\n" +
				"For your first sign-in, use this provisional password: {{.Password}}\n\n" +
				"You will then choose your own permanent password.\n"},
	},
}
