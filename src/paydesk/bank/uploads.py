"""Receive a bank file over HTTP without holding it in memory: spool the body to disk."""

from __future__ import annotations

import tempfile
from typing import IO

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from paydesk.bank.camt import BankFileTooLarge

#: Bytes gathered before one write to the temporary file.
_WRITE_SIZE = 1024 * 1024


def _too_large(limit: int) -> BankFileTooLarge:
    return BankFileTooLarge(f"the upload is larger than {limit} bytes", limit=limit)


async def spool(request: Request, limit: int) -> IO[bytes]:
    """The request body in an anonymous temporary file, positioned at its start.

    A declared ``Content-Length`` over ``limit`` is refused before anything is read; a body
    that grows past ``limit`` is refused as soon as it does. The caller closes the file (it
    is deleted then)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    spooled = tempfile.TemporaryFile(prefix="paydesk-upload-")  # noqa: SIM115 - the caller closes it
    try:
        size = 0
        pending: list[bytes] = []
        pending_size = 0
        async for part in request.stream():
            size += len(part)
            if size > limit:
                raise _too_large(limit)
            pending.append(part)
            pending_size += len(part)
            if pending_size >= _WRITE_SIZE:
                await run_in_threadpool(spooled.write, b"".join(pending))
                pending, pending_size = [], 0
        if pending:
            await run_in_threadpool(spooled.write, b"".join(pending))
        spooled.seek(0)
    except BaseException:
        spooled.close()
        raise
    return spooled
