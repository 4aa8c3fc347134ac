"""Concurrency: money moved by many requests at once, and several server processes."""
