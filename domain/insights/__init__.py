"""Portfolio insights: a short reading of a portfolio, written by a model or by local rules.

snapshot  what a reading may see (figures only, nothing personal)
prompt    how a snapshot is shown to a model, and the fingerprint that keys the cache
gemini    the Gemini provider; local: the rule-based analyser used without an API key
service   cache, single flight and circuit breaker around whichever provider is configured
"""
