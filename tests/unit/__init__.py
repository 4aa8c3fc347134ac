"""Unit tests: the rules on their own, with fakes where they meet the outside world.

No database, no Redis, no app: these run in milliseconds and need nothing running.
"""
