"""Per-request machinery that the schema's fields run on.

- ``context``: the request context (services, the caller's claims, loaders, a memo)
  and the ``Info`` alias every resolver takes.
- ``loaders``: the per-request dataloaders, which batch nested lookups into one query.
- ``live``: adapters from the live hub's streams to subscriptions, with their refusal.
- ``portfolio``, ``insights``: read models assembled once per request and shared by
  sibling fields (one valuation for ``positions``, ``portfolio`` and ``insights``).

A field that only forwards a call to a domain service makes that call where it is
declared, in schema/, through ``info.context.services``: a new field touches its
schema type and its use case, nothing here. schema/ depends on this package, never
the reverse: nothing here imports schema/, and domain/ imports neither.
"""
