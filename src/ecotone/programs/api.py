"""The programs app's part of ``/api/v1/``."""

from ninja import Router

router = Router(tags=["programmes"])
