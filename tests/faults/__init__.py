"""Faults: PostgreSQL or Redis going away and coming back, and shutting down mid-work."""
