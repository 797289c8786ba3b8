// Package vcard is a virtual CPx card for tests, demos and training: it dials vpcd (the
// virtual reader driver of pcscd, from vsmartcard) and answers APDUs like a contact card, so
// the real PC/SC stack, OpenSC's PKCS#11 module and every program above them see a card.
//
// The card answers:
//   - the ATR of a CPS4 contact card by default (any ATR of drivers/atr.tsv, or any hex ATR);
//   - EF.SN.ICC (SELECT 3F00, SELECT D003, READ BINARY): a 12-byte serial whose first five
//     bytes are the ANS issuer bytes 80 25 00 00 01;
//   - the PIV application (AID A0 00 00 03 08 00 00 10 00), the subset OpenSC's PIV driver
//     needs: discovery object, CHUID, the certificate of the 9A authentication key, PIN VERIFY
//     with a 3-try counter, CHANGE REFERENCE DATA, RESET RETRY COUNTER with the PUK (10 tries),
//     GENERAL AUTHENTICATE as a raw RSA private operation, command chaining and GET RESPONSE.
//
// The card's state (serial, PIN and PUK hashes and try counters, RSA key, certificate) lives
// in a state directory and is written atomically on every change, so a blocked card stays
// blocked across restarts. The demo cards use PIN 1234 and PUK 12345678 (DefaultPIN,
// DefaultPUK). PINs are stored only as argon2id hashes and compared in constant time.
//
// vpcd protocol: every frame is a 2-byte big-endian length and a payload. A 1-byte payload
// is a control byte (00 power off, 01 power on, 02 reset, 04 ATR request answered with the
// raw ATR); a longer payload is a C-APDU answered with data‖SW1SW2. Closing the socket is
// removing the card.
//
// What OpenSC 0.23 (Debian 12) makes of the card, as the interop tests check:
//   - driver "Personal Identity Verification Card" with the CPS4 ATR; a CPS3 ATR is claimed by
//     the IAS-ECC driver ("IAS/ECC CPx"), which fails on this card: no token;
//   - slot description = the PC/SC reader name; token label "PIV_II" (OpenSC would take the
//     certificate's CN, but cannot read it from the multi-valued IGC-Santé RDN); manufacturer
//     "piv_II", model "PKCS#15 emulated"; serial = hex of EF.SN.ICC bytes 4..11; PIN 4-8;
//   - objects, ID 01: private key "PIV AUTH key" (after login), public key "PIV AUTH pubkey",
//     certificate "Certificate for PIV Authentication"; RSA-PKCS, RSA-X-509, RSA-PKCS-PSS and
//     SHA*-RSA-PKCS[-PSS] mechanisms;
//   - wrong PIN: CKR_PIN_INCORRECT, then the final-try flag, then CKR_PIN_LOCKED; C_SetPIN with
//     a new PIN under 6 digits: CKR_PIN_LEN_RANGE (OpenSC's PIV rule, the card takes 4-8);
//   - PUK unblock needs user_pin_unblock_style in opensc.conf (testrig.OpenSCConfOnlyStyle);
//   - OpenSC's default max_virtual_slots (16, 4 per reader) hides all readers after the 4th.
package vcard
