"""Cainiao work orders and courier complaints: intake, routing to the responsible unit, answers, CCS review."""
