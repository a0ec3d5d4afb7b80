from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.ogc.paging import paginate


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("the disk caught fire")


class NumbersApi(APIView):
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        page = paginate(request, list(range(25)), default_limit=10, max_limit=20)
        return Response(
            {
                "numbers": page.items,
                "numberMatched": page.number_matched,
                "numberReturned": page.number_returned,
                "links": page.links,
            }
        )


urlpatterns = [
    path("ogcapi/broken", broken),
    path("ogcapi/numbers", NumbersApi.as_view()),
    path("", include("marketplace.urls")),
]
