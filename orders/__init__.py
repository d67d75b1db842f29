"""The online pickup order record, its append-only history, intake from channels and the query pages."""
