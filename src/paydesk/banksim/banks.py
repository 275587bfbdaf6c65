"""The banks a payer can choose in the simulator (real BICs, names from the BIC registry)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SimBank:
    bic: str
    name: str
    country: str


BANKS: tuple[SimBank, ...] = (
    SimBank("ETHNGRAA", "National Bank of Greece", "GR"),
    SimBank("PIRBGRAA", "Piraeus Bank", "GR"),
    SimBank("CRBAGRAA", "Alpha Bank", "GR"),
    SimBank("ERBKGRAA", "Eurobank", "GR"),
    SimBank("BPKOPLPW", "PKO Bank Polski", "PL"),
    SimBank("BREXPLPW", "mBank", "PL"),
    SimBank("INGBPLPW", "ING Bank Śląski", "PL"),
)

BY_BIC = {bank.bic: bank for bank in BANKS}


def find(bic: str) -> SimBank | None:
    """The bank for an 8- or 11-character BIC (branch ``XXX`` or any branch)."""
    code = (bic or "").strip().upper()
    return BY_BIC.get(code[:8]) if len(code) in (8, 11) else None
