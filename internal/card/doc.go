// Package card is the PC/SC side of cpx-agent: a reader/card Monitor, CPx identification of
// a card's ATR from the table in drivers/atr.tsv (Identify), ReadSerial (EF.SN.ICC), and the
// one-shot ReaderNames and Readers for diagnostics. Nothing else in the module calls PC/SC
// (internal/deptest).
//
// On Windows and macOS it goes through github.com/ebfe/scard (WinSCard, PCSC.framework). On
// Linux the Monitor's own context is a small cgo binding to libpcsclite (pcsc_linux.go): the
// pinned ebfe/scard keeps the C copies of reader names in a package-level map written without
// a lock, so a Monitor waiting in SCardGetStatusChange and any other PC/SC call of the process
// would race; there every call owns its C memory.
//
// The Monitor is event driven: it blocks in SCardGetStatusChange with an infinite timeout
// on the watched readers plus the `\\?PnP?\Notification` pseudo-reader (reader hot-plug), and
// SCardCancel wakes it when its context ends. When the service goes away (pcscd stopped or
// restarted, or Windows' SCARD_E_NO_SERVICE after the last reader is unplugged) it reports
// ServiceDown, removes what it had reported, re-establishes its context with a capped
// backoff, reports ServiceUp and the readers and cards present again.
//
// The state logic (reader sets and card presence turned into events, duplicate suppression,
// event counters) is in tracker.go with no PC/SC call, so it is unit-tested with fakes.
//
// Nothing here ever opens a card in exclusive mode: the PKCS#11 middleware (Cryptolib CPS,
// OpenSC) must keep working while the agent watches and reads the card.
package card
