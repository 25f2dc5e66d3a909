from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    return {
        "MAP_TILE_URL": settings.HYTE_MAP_TILE_URL,
        "MAP_ATTRIBUTION": settings.HYTE_MAP_ATTRIBUTION,
    }
