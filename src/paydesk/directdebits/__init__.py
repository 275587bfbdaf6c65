"""SEPA Core direct debits: pain.008 collections, pain.002 and camt.054 returns."""
