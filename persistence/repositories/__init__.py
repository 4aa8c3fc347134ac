"""All SQL lives here: one repository per aggregate, each bound to a caller's session.

Repositories never commit; the use case that owns the transaction does.
"""
