"""A failure raised to a client leaves nothing of the request behind once it is answered.

An exception object carries the frames it was raised through, and frames hold their
locals: an exception kept beyond its request (a shared module-level instance, say)
keeps that request's password reachable for the life of the process.
"""

from __future__ import annotations

import gc
import uuid
from types import FrameType, TracebackType

from domain.errors import BusinessError

LOGIN = """
mutation Login($input: LoginInput!) {
  login(input: $input) { token errors { code } }
}"""


def _frames(traceback: TracebackType | None) -> list[FrameType]:
    """Every frame the traceback keeps alive: those it passed and their callers."""
    frames = []
    while traceback is not None:
        frame: FrameType | None = traceback.tb_frame
        while frame is not None:
            frames.append(frame)
            frame = frame.f_back
        traceback = traceback.tb_next
    return frames


def _exceptions_holding(secret: str) -> list[BusinessError]:
    gc.collect()
    holding = []
    for candidate in gc.get_objects():
        if not isinstance(candidate, BusinessError):
            continue
        for frame in _frames(candidate.__traceback__):
            if secret in frame.f_locals.values():
                holding.append(candidate)
                break
    return holding


async def test_failed_sign_ins_leave_no_password_reachable_from_an_exception(gql):
    password = f"Hygiene-{uuid.uuid4().hex}-9"
    for attempt in range(3):
        answer = await gql(
            LOGIN, {"input": {"username": f"nobody_{uuid.uuid4().hex[:10]}", "password": password}}
        )
        assert answer["login"]["errors"] == [{"code": "INVALID_CREDENTIALS"}], attempt

    assert _exceptions_holding(password) == []


async def test_no_module_keeps_an_exception_instance_to_raise():
    import importlib
    import pkgutil

    shared = []
    for package in ("domain", "persistence", "resolvers", "schema", "web"):
        root = importlib.import_module(package)
        for module_info in pkgutil.walk_packages(root.__path__, f"{package}."):
            module = importlib.import_module(module_info.name)
            shared += [
                f"{module_info.name}.{name}"
                for name, value in vars(module).items()
                if isinstance(value, BaseException)
            ]
    assert shared == []
