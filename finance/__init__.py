"""The ledger of fines, reversals, refunds, rewards and adjustments; monthly statements."""
