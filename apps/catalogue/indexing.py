"""The full-text index of records: what their search vector is made of."""

from typing import Any

from django.contrib.postgres.search import SearchVector
from django.db.models import F, Func, TextField, Value

SEARCH_CONFIG = "english"


def search_vector_refresh(records: Any) -> None:
    """Recompute the full-text index of these records (a queryset): title and keywords weigh
    most, then the description, then platform and instrument."""
    keywords = Func(F("keywords"), Value(" "), function="array_to_string", output_field=TextField())
    records.update(
        search_vector=SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector(keywords, weight="A", config=SEARCH_CONFIG)
        + SearchVector("description", weight="B", config=SEARCH_CONFIG)
        + SearchVector("platform", "instrument", weight="C", config=SEARCH_CONFIG)
    )
