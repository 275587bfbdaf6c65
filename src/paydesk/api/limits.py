"""API routes refuse values no database can take (``paydesk.request_limits``): problem JSON."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from paydesk.api.problems import problem
from paydesk.request_limits import int_params, refusal


class ApiRoute(APIRoute):
    """An API route that first refuses values no database can take (problem JSON, 422)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        ints = int_params(self.dependant)

        async def _handle(request: Request) -> Response:
            reason = await refusal(request, ints)
            if reason is not None:
                return problem(422, "invalid-input", "Invalid input", reason)
            return await handler(request)

        return _handle
