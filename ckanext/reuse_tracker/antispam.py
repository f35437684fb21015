"""Anonymous posting guards shared by reuses and feedback: a honeypot field and a per-IP rate limit."""
from __future__ import annotations

import hashlib

import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis

__all__ = ["HONEYPOT_FIELD", "honeypot_filled", "rate_limited"]

#: A form field hidden from people (CSS) that bots fill in.
HONEYPOT_FIELD = "website_confirm"


def honeypot_filled(data: dict) -> bool:
    """Whether the hidden honeypot field came back filled in (a bot)."""
    return bool(str(data.get(HONEYPOT_FIELD) or "").strip())


def rate_limited(kind: str, client: str, limit: int, window_seconds: int) -> bool:
    """Count one attempt of ``kind`` by ``client`` (an IP address) and say whether it is
    over ``limit`` attempts in the current window. The counter lives in Redis, shared by
    every web worker; the address is hashed so that Redis holds no personal data."""
    digest = hashlib.sha256(f"{tk.config['ckan.site_id']}:{client}".encode()).hexdigest()[:32]
    key = f"reuse_tracker:rate:{kind}:{digest}"
    redis = connect_to_redis()
    with redis.pipeline() as pipe:
        pipe.incr(key)
        pipe.expire(key, window_seconds, nx=True)
        count, _ = pipe.execute()
    return int(count) > limit
