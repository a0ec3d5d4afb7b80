from django.apps import AppConfig

from apps.ogc import conformance

RECORDS = "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/"
FEATURES_CORE = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
FEATURES_FILTER = "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/"
CQL2 = "http://www.opengis.net/spec/cql2/1.0/conf/"

# Both spellings the Records standard uses (its clause 2 table and its test suite).
RECORDS_CLASSES = (
    "searchable-catalog",
    "searchable-catalog-filtering",
    "searchable-catalog-sorting",
    "record-core",
    "record-collection",
    "record-core-query-parameters",
    "records-api",
    "record-api",
    "sorting",
    "cql-filter",
    "filtering",
    "json",
    "html",
    "oas30",
)
FILTER_CLASSES = ("queryables", "queryables-query-parameters", "filter", "features-filter")
CQL2_CLASSES = (
    "cql2-text",
    "cql2-json",
    "basic-cql2",
    "advanced-comparison-operators",
    "case-insensitive-comparison",
    "accent-insensitive-comparison",
    "basic-spatial-functions",
    "basic-spatial-functions-plus",
    "spatial-functions",
    "temporal-functions",
    "array-functions",
    "property-property",
    "arithmetic",
)


class CatalogueConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.catalogue"

    def ready(self) -> None:
        conformance.register(
            "records",
            *(RECORDS + name for name in RECORDS_CLASSES),
            FEATURES_CORE,
            *(FEATURES_FILTER + name for name in FILTER_CLASSES),
            *(CQL2 + name for name in CQL2_CLASSES),
        )
