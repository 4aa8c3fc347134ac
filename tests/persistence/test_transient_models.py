"""Models built from driver rows without the ORM's constructor read as constructed ones do."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal

from persistence.models import Order
from persistence.repositories.transient import transient

COLUMNS = tuple(column.name for column in Order.__table__.columns)


def test_a_transient_order_reads_as_a_constructed_one() -> None:
    row = {name: None for name in COLUMNS} | {
        "id": 7,
        "user_id": 3,
        "side": "BUY",
        "quantity": Decimal("0.00004785"),
        "filled_at": datetime(2026, 12, 4, tzinfo=UTC),
    }
    built, constructed = transient(Order, COLUMNS, row), Order(**row)
    for name in COLUMNS:
        assert getattr(built, name) == getattr(constructed, name), name
        assert type(getattr(built, name)) is type(getattr(constructed, name)), name


def test_the_first_model_of_a_process_configures_the_mappers() -> None:
    # Nothing else in a fresh process has used the ORM yet: attribute access must work.
    program = (
        "from persistence.models import User\n"
        "from persistence.repositories.transient import transient\n"
        "columns = tuple(column.name for column in User.__table__.columns)\n"
        "user = transient(User, columns, {name: None for name in columns} | {'id': 5})\n"
        "assert user.id == 5 and user.tokens_valid_after is None\n"
    )
    subprocess.run([sys.executable, "-c", program], check=True, timeout=60)
