"""Who may spend what: limits, reservations and the ledger's records (no SQL)."""
