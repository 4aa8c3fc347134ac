"""Fuzzing: generated hostile inputs for every mutation and every operation.

Hypothesis drives the mutations, Schemathesis the whole schema; both run against the app.
"""
