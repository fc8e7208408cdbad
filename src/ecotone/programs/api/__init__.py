"""``/api/v1/programmes/…``: set-up, the call, applications, the reviewer pool, bids,
reviews, assignment, ranking, decisions and results.

Reads accept a token, a session or nobody (public programmes); writes need a token. Every
submission read goes through ``permissions``: what a page would hide, the API hides (404).
Refusals answer ``{code, message, field}`` (registered in ``apps.py``).

Sub-routers become URL patterns in the order they are added, and the first pattern that
matches wins: static paths (``/programmes/reviews``, ``/programmes/submissions/{id}``) come
before ``/programmes/{slug}``. All methods of one path live in one sub-router (a second
router with the same path would answer 405 for its methods).
"""

from ninja import Router

from . import applying, bids, discussion, pool, programmes, reviewing, rounds

router = Router(tags=["programmes"])
for sub_router in (
    reviewing.router,  # /programmes/reviews…, /programmes/assignments/{id}
    applying.router,  # /programmes/submissions/{id}…, /programmes/{slug}/submissions
    discussion.router,  # …/submissions/{id}/discussion|responses, …/rounds/{n}/response-window
    programmes.router,  # /programmes, /programmes/{slug}, …/publish
    pool.router,  # /programmes/{slug}/reviewers…
    bids.router,  # /programmes/{slug}/bids…
    rounds.router,  # /programmes/{slug}/rounds/{n}/…
):
    router.add_router("", sub_router)
