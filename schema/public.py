"""The ``@public`` schema directive: data that is the same for every caller.

A type marked ``@public`` makes all its fields public; a field may be marked on its
own (``Query.assets``). An operation that selects public fields only (see
``schema.public_reads``) reads nothing of any user, so its answer may be kept by
browsers, proxies and CDNs (``schema.extensions.http_caching``). Anything not
marked is private: a new field stays out of shared caches until someone decides
otherwise.
"""

from __future__ import annotations

import strawberry
from strawberry.schema_directive import Location


@strawberry.schema_directive(
    locations=[Location.OBJECT, Location.FIELD_DEFINITION],
    name="public",
    description=(
        "The same for every caller, signed in or not: an HTTP GET that reads only public "
        "fields is answered with Cache-Control: public and an ETag."
    ),
)
class Public:
    pass


PUBLIC = Public()
