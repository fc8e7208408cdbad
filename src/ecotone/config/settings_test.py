"""Test settings: the production module with fast hashing and in-memory e-mail."""

import atexit
import os
import shutil
import tempfile

# Tests write (search indexes, uploads) into a home of their own, never the checkout's var/;
# the process that made it removes it at exit (a worker it starts inherits it through the
# environment and makes none).
if "ECOTONE_HOME" not in os.environ:
    os.environ["ECOTONE_HOME"] = tempfile.mkdtemp(prefix="ecotone-test-home-")
    atexit.register(shutil.rmtree, os.environ["ECOTONE_HOME"], ignore_errors=True)

from .settings import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT = None  # served by the finders in tests; nothing is collected
# Lexical only unless a test asks for the real embedder (search/tests/test_dense.py): most
# tests index records, and embedding every one would only make them slower.
ECOTONE_EMBEDDER = "none"
# Tasks run where they are enqueued, so a test sees their effect at once; the database
# backend and its worker have their own tests (core/tests/test_tasks.py).
ECOTONE_TASKS = "immediate"
TASKS = {"default": {"BACKEND": TASK_BACKENDS[ECOTONE_TASKS], "QUEUES": []}}  # noqa: F405
# No cache between requests: most tests write inside a transaction that never commits, so
# the catalogue version (core/cache.py) would not move. Its own tests set a real one.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
# A replica alias in every run, the primary's own test database unless DATABASE_REPLICA_URL
# names a real replica (scripts/test-replica.sh); reads go to it only in the tests that
# turn it on (core/tests/test_replica.py), so the rest of the suite reads the primary.
if "replica" not in DATABASES:  # noqa: F405
    DATABASES["replica"] = {  # noqa: F405
        **DATABASES["default"],  # noqa: F405
        "CONN_HEALTH_CHECKS": True,
        "TEST": {"MIRROR": "default"},
    }
ECOTONE_READ_REPLICA = ""
