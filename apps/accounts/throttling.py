"""Brute-force protection for password checks, per username and per client address.

Failures are counted in the shared cache (Redis) within a sliding window; once a
username or an address has failed too often, further attempts are refused without
checking the password, until the window passes.
"""

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def _user_key(username: str) -> str:
    return f"login-failures:user:{username.lower()}"


def _address_key(address: str) -> str:
    return f"login-failures:address:{address}"


def client_address(request: HttpRequest) -> str:
    """The caller's IP address, as the outermost of our trusted reverse proxies saw it.

    Behind `TRUSTED_PROXY_COUNT` proxies that each append to X-Forwarded-For, the client is
    that many entries from the right; anything further left was written by the client and
    proves nothing. Without proxies, REMOTE_ADDR is the client. Behind a proxy with the count
    left at 0, every caller would share the proxy's address and one address's failure limit.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    return hops[-proxies] if len(hops) >= proxies else remote


def login_attempt_allowed(*, username: str, address: str) -> bool:
    failures = cache.get_many([_user_key(username), _address_key(address)])
    return (
        failures.get(_user_key(username), 0) < settings.LOGIN_MAX_FAILURES_PER_USER
        and failures.get(_address_key(address), 0) < settings.LOGIN_MAX_FAILURES_PER_ADDRESS
    )


def login_failure_record(*, username: str, address: str) -> None:
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    for key in (_user_key(username), _address_key(address)):
        cache.add(key, 0, timeout=window)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=window)


def login_success_record(*, username: str) -> None:
    cache.delete(_user_key(username))
