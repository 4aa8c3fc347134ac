"""Hostile values, the app they are thrown at, and how an answer is judged.

The building blocks of tests/fuzz: each test there draws variables from these
strategies, sends one mutation through `attempt` and lets `judge` decide.
"""
