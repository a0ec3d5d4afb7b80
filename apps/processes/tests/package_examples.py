"""Application packages of the design document, as developers would post them."""

from typing import Any


def binding(*parameters: tuple[str, Any]) -> list[dict[str, Any]]:
    """`additionalParameters` with one inputBinding setting each (name, value), as §17.2.3
    writes them: `values`, a one-element array."""
    return [
        {
            "role": "inputBinding",
            "parameters": [{"name": name, "values": [value]} for name, value in parameters],
        }
    ]


def dsi_package() -> dict[str, Any]:
    """§19.3: ship detection, a docker unit with a list input given as a parameter file."""
    return {
        "processDescription": {
            "id": "dsi",
            "title": "Ship Detection Process",
            "abstract": "A Process that detects ships in SAR images and outputs the detections "
            "into various output file formats including GeoJSON.",
            "inputs": [
                {
                    "id": "productRef",
                    "title": "SAR Product Reference",
                    "abstract": "A reference to a SAR product.",
                    "additionalParameters": [
                        *binding(("position", "1"), ("valueForm", "parameterFile")),
                        {
                            "role": "processingDirectives",
                            "parameters": [{"name": "correlatedInputs", "values": [False]}],
                        },
                        {
                            "role": "clientHint",
                            "parameters": [{"name": "htmlInputType", "value": "file"}],
                        },
                    ],
                    "formats": [{"mimeType": "application/directory"}],
                    "minOccurs": "1",
                    "maxOccurs": "unbounded",
                }
            ],
            "outputs": [
                {
                    "id": "output",
                    "title": "Ship Locations",
                    "abstract": "Detected ship locations in GeoJSON.",
                    "formats": [{"mimeType": "application/geo+json"}],
                    "minOccurs": "1",
                    "maxOccurs": "1",
                }
            ],
        },
        "jobControlOptions": ["async-execute"],
        "outputTransmission": ["reference"],
        "executionUnit": [
            {"type": "docker", "unit": "pvretano/dsi:latest", "config": {"cpuMin": 4}}
        ],
    }


BAND_SCHEMA = {"type": "integer", "minimumValue": 1, "maximumValue": 13, "rangeClosure": "closed"}
FACTOR_SCHEMA = {"type": "number", "default": 1.0, "minimumValue": 0.0}
CLOUD_COVERAGE_SCHEMA = {
    "type": "integer",
    "minimumValue": 0,
    "maximumValue": 100,
    "rangeClosure": "closed",
}


def _ndvi_option(
    identifier: str, title: str, prefix: str, schema: dict[str, Any]
) -> dict[str, Any]:
    """An optional NDVI input, passed as `prefix=value`."""
    return {
        "id": identifier,
        "title": title,
        "minOccurs": 0,
        "maxOccurs": 1,
        "schema": schema,
        "additionalParameters": binding(("prefix", prefix), ("argumentSeparator", "=")),
    }


def ndvi_package() -> dict[str, Any]:
    """§17.2.3: NDVI with SNAP, a docker unit whose inputs become `name=value` arguments."""
    return {
        "processDescription": {
            "id": "NdviCalculation",
            "title": "Calculation of NDVI using the SNAP toolbox for Sentinel-2",
            "description": "Calculation of NDVI using the SNAP toolbox for Sentinel-2",
            "version": "1.0.0",
            "keywords": ["Vegetation", "NDVI"],
            "inputs": [
                {
                    "id": "source",
                    "title": "Source Input Image (sentinel-2 product in SAFE format)",
                    "minOccurs": 1,
                    "maxOccurs": 1,
                    "schema": {
                        "oneOf": [
                            {"type": "string"},
                            {"type": "string", "format": "uri"},
                            {
                                "type": "string",
                                "contentEncoding": "base64",
                                "contentMediaType": "application/zip",
                            },
                        ]
                    },
                    "additionalParameters": binding(
                        ("prefix", "sourceImage"), ("argumentSeparator", "=")
                    ),
                },
                _ndvi_option(
                    "red_source_band",
                    "the band to be used for the red band",
                    "red_band",
                    BAND_SCHEMA,
                ),
                _ndvi_option(
                    "nir_source_band",
                    "the band to be used for the NIR band",
                    "nir_band",
                    BAND_SCHEMA,
                ),
                _ndvi_option(
                    "red_factor", "the factor of the red band", "red_factor", FACTOR_SCHEMA
                ),
                _ndvi_option(
                    "nir_factor", "the factor of the NIR band", "nir_factor", FACTOR_SCHEMA
                ),
                _ndvi_option(
                    "cloud_coverage",
                    "The cloud coverage of the scene.",
                    "cc",
                    CLOUD_COVERAGE_SCHEMA,
                ),
                _ndvi_option(
                    "max_cloud_coverage",
                    "The maximum cloud coverage of the scene.",
                    "max_cc",
                    CLOUD_COVERAGE_SCHEMA,
                ),
            ],
            "outputs": [
                {
                    "id": "raster",
                    "title": "The raster of the resulting NDVI calculation",
                    "schema": {
                        "type": "string",
                        "contentEncoding": "binary",
                        "contentType": "image/tiff; application=geotiff",
                    },
                }
            ],
        },
        "jobControlOptions": ["async-execute"],
        "outputTransmission": ["value", "reference"],
        "executionUnit": [
            {
                "type": "docker",
                "unit": "eoc/ndvi:latest",
                "config": {
                    "cpuMin": 2,
                    "cpuMax": 4,
                    "memoryMin": 1,
                    "memoryMax": 3,
                    "storageTempMin": 1,
                    "storageOutputsMin": 1,
                    "jobTimeout": 600,
                },
            }
        ],
    }


def _number_input(title: str) -> dict[str, Any]:
    return {"title": title, "schema": {"type": "number"}}


def muladd_package() -> dict[str, Any]:
    """§16.2.2 Example 7: a deployed OGC Modular Workflow, Mul(value3, Add(value1, value2))."""
    return {
        "processDescription": {
            "process": {
                "id": "MulAdd",
                "title": "Add and Multiply",
                "description": "This process adds the first two numeric inputs and then "
                "multiplies the result by a third input.",
                "version": "1.0.0",
                "jobControlOptions": ["sync-execute"],
                "outputTransmission": ["value"],
                "inputs": {
                    "value1": _number_input("First Addend (add)"),
                    "value2": _number_input("Second Addend (add)"),
                    "value3": _number_input("The Multiplicand (mul)"),
                },
                "outputs": {"result": {"schema": {"type": "number"}}},
            }
        },
        "executionUnit": {
            "type": "moaw",
            "source": {
                "process": "Mul",
                "inputs": {
                    "value1": {"input": "value3"},
                    "value2": {
                        "process": "Add",
                        "inputs": {"value1": {"input": "value1"}, "value2": {"input": "value2"}},
                    },
                },
            },
        },
    }


def python_package(identifier: str = "scale-values") -> dict[str, Any]:
    """A `python` unit: a function from a module the platform allows."""
    return {
        "processDescription": {
            "id": identifier,
            "title": "Scale values",
            "description": "Multiplies every value by a factor.",
            "inputs": {
                "values": {
                    "title": "Values",
                    "schema": {"type": "number"},
                    "minOccurs": 1,
                    "maxOccurs": "unbounded",
                },
                "factor": {
                    "title": "Factor",
                    "schema": {"type": "number", "default": 1},
                    "minOccurs": 0,
                },
            },
            "outputs": {
                "scaled": {"title": "Scaled values", "schema": {"type": "array"}},
                "total": {"title": "Their sum", "schema": {"type": "number"}},
            },
        },
        "executionUnit": {"type": "python", "callable": "apps.processes.examples:scale"},
    }
