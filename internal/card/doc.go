// Package card is the PC/SC side of cpx-agent (github.com/ebfe/scard over pcsc-lite or
// WinSCard): a reader/card Monitor, CPx identification of a card's ATR from the table in
// drivers/atr.tsv, and ReadSerial (EF.SN.ICC).
//
// The Monitor is event driven: it blocks in SCardGetStatusChange with an infinite timeout
// on the watched readers plus the `\\?PnP?\Notification` pseudo-reader (reader hot-plug), and
// SCardCancel wakes it when its context ends. When the service goes away (pcscd stopped or
// restarted, or Windows' SCARD_E_NO_SERVICE after the last reader is unplugged) it reports
// EventServiceDown, removes what it had reported, re-establishes its context with a capped
// backoff, reports EventServiceUp and the readers and cards present again.
//
// The state logic (reader sets and card presence turned into events, duplicate suppression,
// event counters) is in tracker.go with no PC/SC call, so it is unit-tested with fakes.
//
// Nothing here ever opens a card in exclusive mode: the PKCS#11 middleware (Cryptolib CPS,
// OpenSC) must keep working while the agent watches and reads the card.
package card
