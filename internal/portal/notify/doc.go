// Package notify delivers cpx-portal's messages — one-time codes, password-change
// confirmations, recovery links, identifiant reminders, provisional passwords — by e-mail
// (SMTP with STARTTLS and AUTH) or SMS (an HTTP gateway), through a persistent queue with
// retries, and reports each delivery's fate.
//
//	n := notify.New(queue, map[string]notify.Sender{
//		api.ChannelEmail: smtpSender,   // notify.NewSMTPSender(notify.SMTPConfig{…})
//		api.ChannelSMS:   smsSender,    // notify.NewSMSSender(notify.SMSConfig{…})
//	}, notify.Config{}, logger)
//	go n.Run(ctx)                                   // the delivery worker
//	id, err := n.Send(ctx, notify.Message{Channel: api.ChannelSMS, To: "+33612345678",
//		Template: notify.TmplOTPCode, Lang: "fr", Data: notify.Data{Code: code, Minutes: 5}})
//	rep, err := n.Wait(ctx, id, 10*time.Second)     // or n.Status(ctx, id) later
//	// rep.Status: StatusPending, StatusDelivered or StatusFailed (rep.Reason says why)
//
// Delivery failures are never swallowed: a job ends delivered or failed, the reason kept in
// the queue and returned by Status. Transient errors (network, SMTP 4xx, HTTP 5xx/408/429)
// are retried with exponential backoff up to Config.MaxAttempts; permanent ones (SMTP 5xx,
// HTTP 4xx, a server without STARTTLS) fail at once.
//
// Queue is the storage interface (the portal implements it on its database; MemQueue is the
// in-memory one). The queue holds message bodies, which can carry a code or a provisional
// password, only while a job is pending: the Notifier blanks Body when a job ends, and the
// portal's table must not be readable by anyone else.
//
// Logs name the template, the job and the masked recipient ("06 •• •• •• 78"), never a
// body. Outbox is a development Sender that keeps messages in memory for `admin outbox`.
// Package smtptest (beside this one) is a real SMTP server on loopback for tests; package
// queuetest checks a Queue implementation (run it on the portal's database queue).
package notify
