package vcard

// PIV key references of the card's secrets.
const (
	refPIN = 0x80
	refPUK = 0x81
)

// secretOf returns the hash, tries left and verified flag of a key reference.
func (a *applet) secretOf(ref byte) (hash *string, tries *int, verified *bool, max int, minLen int) {
	if ref == refPUK {
		return &a.st.pukHash, &a.st.pukTries, &a.pukVerified, PUKMaxTries, 8
	}
	return &a.st.pinHash, &a.st.pinTries, &a.pinVerified, PINMaxTries, 4
}

// verify handles VERIFY. P1=FF resets the security status (800-73-4); empty data asks the
// status (9000 verified, 63Cx tries left, 6983 blocked). Key 81 (PUK) is accepted too, so a
// PKCS#11 SO login with the PUK can precede a RESET RETRY COUNTER P1=02.
func (a *applet) verify(c command) response {
	defer clear(c.data)
	if c.p2 != refPIN && c.p2 != refPUK {
		return status(swRefDataNotFound)
	}
	_, tries, verified, _, _ := a.secretOf(c.p2)
	switch {
	case c.p1 == 0xFF && len(c.data) == 0:
		*verified = false
		return status(swOK)
	case c.p1 != 0x00:
		return status(swIncorrectP1P2)
	case len(c.data) == 0 && *tries == 0:
		return status(swAuthBlocked)
	case len(c.data) == 0 && *verified:
		return status(swOK)
	case len(c.data) == 0:
		return status(swTriesLeft | uint16(*tries))
	}
	return a.check(c.p2, c.data)
}

// check compares a padded secret with key ref's, updating and saving its try counter.
func (a *applet) check(ref byte, padded []byte) response {
	hash, tries, verified, max, minLen := a.secretOf(ref)
	secret := unpad(padded)
	if len(padded) > 8 || !validPIN(secret, minLen) {
		return status(swWrongData) // malformed: no try used
	}
	if *tries == 0 {
		return status(swAuthBlocked)
	}
	match, err := checkSecret(*hash, secret)
	if err != nil {
		a.log.Error("vcard: stored secret hash unreadable", "ref", ref, "err", err)
		return status(0x6F00)
	}
	if match {
		*verified = true
		if *tries != max {
			*tries = max
			return a.saved(status(swOK))
		}
		return status(swOK)
	}
	*verified = false
	*tries--
	a.log.Info("vcard: wrong secret", "ref", ref, "tries_left", *tries)
	if *tries == 0 {
		return a.saved(status(swAuthBlocked))
	}
	return a.saved(status(swTriesLeft | uint16(*tries)))
}

// saved persists the state and returns r, or 6581 (memory failure) when writing failed.
func (a *applet) saved(r response) response {
	if err := a.st.save(); err != nil {
		a.log.Error("vcard: cannot save card state", "err", err)
		return status(0x6581)
	}
	return r
}

// changeReference handles CHANGE REFERENCE DATA: old‖new, each padded to 8 bytes.
func (a *applet) changeReference(c command) response {
	defer clear(c.data)
	if c.p1 != 0x00 {
		return status(swIncorrectP1P2)
	}
	if c.p2 != refPIN && c.p2 != refPUK {
		return status(swRefDataNotFound)
	}
	if len(c.data) != 16 {
		return status(swWrongData)
	}
	hash, _, _, _, minLen := a.secretOf(c.p2)
	newSecret := unpad(c.data[8:])
	if !validPIN(newSecret, minLen) {
		return status(swWrongData)
	}
	if r := a.check(c.p2, c.data[:8]); r.sw != swOK {
		return r
	}
	return a.setSecret(hash, newSecret)
}

func (a *applet) setSecret(hash *string, secret []byte) response {
	h, err := hashSecret(secret)
	if err != nil {
		a.log.Error("vcard: cannot hash new secret", "err", err)
		return status(0x6F00)
	}
	*hash = h
	return a.saved(status(swOK))
}

// resetRetryCounter handles RESET RETRY COUNTER of the PIN: P1=00 with PUK‖new PIN, or P1=02
// with the new PIN alone after a VERIFY of the PUK in this session.
func (a *applet) resetRetryCounter(c command) response {
	defer clear(c.data)
	if c.p2 != refPIN {
		return status(swRefDataNotFound)
	}
	var newPIN []byte
	switch {
	case c.p1 == 0x00 && len(c.data) == 16:
		newPIN = unpad(c.data[8:])
		if !validPIN(newPIN, 4) {
			return status(swWrongData)
		}
		if r := a.check(refPUK, c.data[:8]); r.sw != swOK {
			return r
		}
	case c.p1 == 0x02 && len(c.data) <= 8:
		if !a.pukVerified {
			return status(swSecurityNotSatisfy)
		}
		newPIN = unpad(c.data)
		if !validPIN(newPIN, 4) {
			return status(swWrongData)
		}
	case c.p1 != 0x00 && c.p1 != 0x02:
		return status(swIncorrectP1P2)
	default:
		return status(swWrongData)
	}
	a.pukVerified = false
	a.pinVerified = false
	a.st.pinTries = PINMaxTries
	a.log.Info("vcard: PIN unblocked with the PUK")
	return a.setSecret(&a.st.pinHash, newPIN)
}
