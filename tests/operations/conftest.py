"""The operations tests start real services: Redis as the jobs tests do."""

from tests.jobs.conftest import redis_url  # noqa: F401  (the session fixture, shared)
