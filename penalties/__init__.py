"""Service-level rules, violations, audit, weekly notices and appeals."""
