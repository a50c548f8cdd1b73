"""API pagination. Imports nothing of the project: DRF loads it while defining its views."""

from typing import Any

from rest_framework.pagination import LimitOffsetPagination


class Pagination(LimitOffsetPagination):
    """``?limit=&offset=`` with bounds: at most 200 rows a page, and an offset the database can
    take (an absurd offset is an empty page, not a server error)."""

    max_limit = 200
    max_offset = 10**9

    def get_offset(self, request: Any) -> int:
        return min(super().get_offset(request), self.max_offset)
