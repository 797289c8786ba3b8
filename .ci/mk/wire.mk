# Real cards that stop answering (internal/vcard Config.Stall) through pcscd + OpenSC: the card
# token port (internal/cardtoken), the agent and the GUI report card_not_responding within
# their deadline, removal and shutdown still work. A hung card
# keeps a pcscd reader thread and OpenSC's process lock busy, so these run alone, last.
TEST_SERIAL += test-stuck-card

.PHONY: test-stuck-card
test-stuck-card:
	$(GO) test -tags stuckcard -count=1 -run 'StuckCard' ./internal/cardtoken/ ./cmd/cpx-agent/
