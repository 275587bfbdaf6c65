"""Payment codes: ISO 11649 RF creditor references issued for what customers owe."""
