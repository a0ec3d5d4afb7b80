"""Rasters: coverage download and domain, XYZ tiles and map images rendered by rio-tiler."""

import warnings

import numpy as np
import pytest
from rasterio.errors import NotGeoreferencedWarning
from rasterio.io import MemoryFile
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.webservices import services
from apps.webservices.models import Service
from apps.webservices.tests.conftest import INSIDE_TILE, SCENE, storage_path

pytestmark = pytest.mark.django_db

SERVICE = "/services/alice/collections/scene"


@pytest.fixture
def scene(alice: User) -> Service:
    return services.service_create(owner=alice, title="Scene", files=[SCENE], public=True)


def png_pixels(content: bytes) -> np.ndarray:
    """The PNG's bands (RGBA) as an array, decoded by GDAL's PNG driver."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)  # a PNG has no georeference
        with MemoryFile(content) as memory, memory.open(driver="PNG") as image:
            return image.read()


def tile_url(z: int, x: int, y: int) -> str:
    return f"{SERVICE}/map/tiles/WebMercatorQuad/{z}/{y}/{x}.png"


def test_a_tile_inside_the_raster_is_a_coloured_png(api_client: APIClient, scene: Service) -> None:
    z, x, y = INSIDE_TILE

    response = api_client.get(tile_url(z, x, y))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    pixels = png_pixels(response.content)
    assert pixels.shape == (4, 256, 256)
    assert (pixels[3] == 255).all()  # opaque: the tile lies wholly inside the scene
    assert pixels[:3].std() > 5  # fields, not a flat colour


def test_a_tile_at_the_edge_is_transparent_outside_the_data(
    api_client: APIClient, scene: Service
) -> None:
    # zoom 8 tile 131/84 holds the whole scene and much around it
    pixels = png_pixels(api_client.get(tile_url(8, 131, 84)).content)

    alpha = pixels[3]
    assert 0 < (alpha == 255).sum() < alpha.size


@pytest.mark.parametrize(("z", "x", "y"), [(12, 100, 100), (3, 9, 0), (30, 0, 0)])
def test_tiles_without_data_or_outside_the_matrix_are_404(
    api_client: APIClient, scene: Service, z: int, x: int, y: int
) -> None:
    assert api_client.get(tile_url(z, x, y)).status_code == 404


def test_tiles_are_cacheable_by_etag(api_client: APIClient, scene: Service) -> None:
    first = api_client.get(tile_url(*INSIDE_TILE))

    assert first["Cache-Control"] == "public, max-age=300"
    again = api_client.get(tile_url(*INSIDE_TILE), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""


def test_a_single_band_ndvi_tile_uses_the_colormap(
    api_client: APIClient, alice: User, ndvi_key: str
) -> None:
    services.service_create(owner=alice, title="NDVI", files=[ndvi_key], public=True)
    z, x, y = INSIDE_TILE

    pixels = png_pixels(
        api_client.get(
            f"/services/alice/collections/ndvi/map/tiles/WebMercatorQuad/{z}/{y}/{x}.png"
        ).content
    )

    red, green = pixels[0].astype(int), pixels[1].astype(int)
    assert (red != green).any()  # coloured, not grey


def test_the_map_image_has_the_size_asked_for(api_client: APIClient, scene: Service) -> None:
    response = api_client.get(f"{SERVICE}/map?width=300&height=200")

    pixels = png_pixels(response.content)
    assert pixels.shape == (4, 200, 300)
    assert pixels[:3].std() > 5
    square = png_pixels(api_client.get(f"{SERVICE}/map?width=100").content)
    assert square.shape == (4, 100, 100)  # the scene is as wide as it is high (in degrees)
    assert api_client.get(f"{SERVICE}/map?width=9999").status_code == 400


def test_the_coverage_download_is_the_file(api_client: APIClient, scene: Service) -> None:
    response = api_client.get(f"{SERVICE}/coverage")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/tiff; application=geotiff"
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert body == storage_path(SCENE).read_bytes()
    assert int(response["Content-Length"]) == len(body)
    assert 'filename="sentinel2-l2a-demo.tif"' in response["Content-Disposition"]


def test_the_coverage_domain_as_json(api_client: APIClient, scene: Service) -> None:
    document = api_client.get(f"{SERVICE}/coverage?f=json").json()

    assert document["extent"]["spatial"]["bbox"] == [pytest.approx([4.80, 52.29, 4.96, 52.45])]
    raster = document["rasters"][0]
    assert (raster["crs"], raster["width"], raster["height"]) == ("EPSG:4326", 64, 64)
    assert raster["bands"] == ["B02 blue", "B03 green", "B04 red", "B08 nir"]
    assert raster["href"] == "http://testserver/services/alice/collections/scene/coverage?part=1"


def test_the_collection_links_coverage_map_and_tiles(api_client: APIClient, scene: Service) -> None:
    document = api_client.get(SERVICE, HTTP_ACCEPT="application/json").json()

    hrefs = {link["href"] for link in document["links"]}
    assert "http://testserver/services/alice/collections/scene/coverage" in hrefs
    assert "http://testserver/services/alice/collections/scene/map" in hrefs
    assert (
        "http://testserver/services/alice/collections/scene/map/tiles/WebMercatorQuad/"
        "{tileMatrix}/{tileRow}/{tileCol}.png" in hrefs
    )
    assert "itemType" not in document
