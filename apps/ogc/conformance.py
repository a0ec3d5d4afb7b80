"""Conformance classes, registered by each app for the API it serves.

An API is named by its mount point ("processes" under /ogcapi/, "records" under
/catalogue/); apps call `register` from `AppConfig.ready()`.
"""

from collections import defaultdict

_classes: dict[str, list[str]] = defaultdict(list)


def register(api: str, *uris: str) -> None:
    for uri in uris:
        if uri not in _classes[api]:
            _classes[api].append(uri)


def conformance_classes(api: str) -> list[str]:
    return list(_classes[api])
