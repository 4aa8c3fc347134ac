"""Fuzzing: generated hostile inputs for every mutation and every operation.

Each hypothesis example makes a fresh funded user (and, where the mutation needs them,
a filled order, open orders, a used idempotency key...), snapshots every row the
database holds for that user and for a bystander, sends one mutation whose variables
hypothesis filled with hostile values, judges the answer and, when the answer is a
rejection, compares the snapshots. Whatever the answer, the books must still balance.
One file a concern (accounts, cash, orders, red pockets, tokens and envelopes, the
defects found and pinned); the strategies and the judge are in tests/support/fuzz.
Schemathesis, beside them, generates operations from the whole schema.
"""
