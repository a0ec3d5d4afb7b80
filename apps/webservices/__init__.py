"""Web services (§9.6, §19.11): users' files and job outputs published as OGC API collections.

A service is one collection. GeoJSON and GeoPackage files make a *features* service: their
features are copied into PostGIS (`ServiceFeature`) when files are added, so bbox queries
and paging run in SQL. GeoTIFFs make a *coverage* service: the files stay in storage and
rio-tiler renders map tiles and images from them with one style per service.

URL layout, under /services/{username}/ (every GET answers JSON or HTML, `f=` or Accept):

    /                                      OGC API landing page; HTML lists the services as
                                           cards, with a publish form for the owner
    /conformance                           OGC API - Features core, oas30, html, geojson
    /collections                           GET the services; POST publishes a new one
    /collections/{id}                      GET the collection (HTML: map and owner controls);
                                           PATCH {"title", "description", "public"}; DELETE
    /collections/{id}/files                POST {"files": [key, ...], "job": id} adds data
    /collections/{id}/readers              GET / POST {"username": u} or {"everyone": true}
    /collections/{id}/readers/{username}   DELETE: stop sharing with that user
    /collections/{id}/items                features: bbox, limit (10, at most 1000), offset
    /collections/{id}/items/{featureId}    one feature
    /collections/{id}/coverage             the GeoTIFF (`part=n` for the n-th of several),
                                           `f=json` for its domain
    /collections/{id}/map                  PNG image of the extent, `width` and/or `height`
    /collections/{id}/map/tiles/WebMercatorQuad/{z}/{y}/{x}.png
                                           XYZ tile; 404 where the service has no data (a
                                           tile partly over the data is transparent around it)

POST /collections takes {"title", "files": [storage keys or folders], "job": jobId,
"identifier", "description", "kind": "features" | "coverage", "public", "holdings"}. Keys
name files of the caller's workspace (`users/{username}/workspace/...`) or TEP holdings
(`holdings/...`); a folder publishes the served files in it.

Access: a private service answers only its owner and the users it is shared with, on every
route, and 404 to anybody else; a public one answers everybody. Only the owner changes it.
Responses carry an ETag (from the service's last change) and `Cache-Control: public,
max-age=300` when public, `private, no-cache` when private, so a revoked grant holds at once.
"""
