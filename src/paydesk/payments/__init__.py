"""Payment events, their tenders and payments, and the segments that post them to contracts."""
