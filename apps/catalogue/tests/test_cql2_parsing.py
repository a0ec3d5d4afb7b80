"""Parsing cql2-text and cql2-json (no database): the standard's examples and the edge cases.

The examples are those of the CQL2 standard (OGC 21-065, annex and clause examples), each
given in both encodings, which must parse to the same tree.
"""

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest

from apps.catalogue.cql2 import Cql2Error, parse_cql2_json, parse_cql2_text
from apps.catalogue.cql2.ast import (
    AccentInsensitive,
    And,
    Arithmetic,
    ArrayLiteral,
    ArrayPredicate,
    BboxLiteral,
    Between,
    BooleanLiteral,
    CaseInsensitive,
    Comparison,
    DateLiteral,
    FunctionCall,
    GeometryLiteral,
    In,
    IntervalLiteral,
    IsNull,
    Like,
    Node,
    Not,
    NumberLiteral,
    Or,
    PropertyRef,
    SpatialPredicate,
    StringLiteral,
    TemporalPredicate,
    TimestampLiteral,
)

STANDARD_EXAMPLES = [
    pytest.param(
        "avg(windSpeed)",
        '{"op":"avg","args":[{"property":"windSpeed"}]}',
        id="clause6_01",
    ),
    pytest.param(
        "city='Toronto'",
        '{"op":"=","args":[{"property":"city"},"Toronto"]}',
        id="clause6_02a",
    ),
    pytest.param(
        "avg(windSpeed) < 4",
        '{"op":"<","args":[{"op":"avg","args":[{"property":"windSpeed"}]},4]}',
        id="clause6_02b",
    ),
    pytest.param(
        "balance-150.0 > 0",
        '{"op":">","args":[{"op":"-","args":[{"property":"balance"},150.0]},0]}',
        id="clause6_02c",
    ),
    pytest.param(
        "updated >= date('1970-01-01')",
        '{"op":">=","args":[{"property":"updated"},{"date":"1970-01-01"}]}',
        id="clause6_02d",
    ),
    pytest.param(
        "geometry IS NOT NULL",
        '{"op":"not","args":[{"op":"isNull","args":[{"property":"geometry"}]}]}',
        id="clause6_03",
    ),
    pytest.param(
        "name LIKE 'Smith%'",
        '{"op":"like","args":[{"property":"name"},"Smith%"]}',
        id="clause7_01",
    ),
    pytest.param(
        "depth BETWEEN 100.0 and 150.0",
        '{"op":"between","args":[{"property":"depth"},100.0,150.0]}',
        id="clause7_02",
    ),
    pytest.param(
        "cityName IN ('Toronto','Frankfurt','Tokyo','New York')",
        '{"op":"in","args":[{"property":"cityName"},["Toronto","Frankfurt","Tokyo","New York"]]}',
        id="clause7_03a",
    ),
    pytest.param(
        "category NOT IN (1,2,3,4)",
        '{"op":"not","args":[{"op":"in","args":[{"property":"category"},[1,2,3,4]]}]}',
        id="clause7_03b",
    ),
    pytest.param(
        "CASEI(road_class) IN (CASEI('Οδος'),CASEI('Straße'))",
        (
            '{"op":"in","args":[{"op":"casei","args":[{"property":"road_class"}]},[{"op":"casei",'
            '"args":["Οδος"]},{"op":"casei","args":["Straße"]}]]}'
        ),
        id="clause7_04",
    ),
    pytest.param(
        "ACCENTI(etat_vol) = ACCENTI('débárquér')",
        (
            '{"op":"=","args":[{"op":"accenti","args":[{"property":"etat_vol"}]},{"op":"accenti",'
            '"args":["débárquér"]}]}'
        ),
        id="clause7_05",
    ),
    pytest.param(
        "S_INTERSECTS(geometry,POINT(36.319836 32.288087))",
        (
            '{"op":"s_intersects","args":[{"property":"geometry"},{"type":"Point",'
            '"coordinates":[36.319836,32.288087]}]}'
        ),
        id="clause7_07",
    ),
    pytest.param(
        (
            "S_CROSSES(road,POLYGON((43.7286 -79.2986, 43.7311 -79.2996, 43.7323 -79.2972, "
            "43.7326 -79.2971, 43.7350 -79.2981, 43.7350 -79.2982, 43.7352 -79.2982, 43.7357 "
            "-79.2956, 43.7337 -79.2948, 43.7343 -79.2933, 43.7339 -79.2923, 43.7327 -79.2947, "
            "43.7320 -79.2942, 43.7322 -79.2937, 43.7306 -79.2930, 43.7303 -79.2930, 43.7299 "
            "-79.2928, 43.7286 -79.2986)))"
        ),
        (
            '{"op":"s_crosses","args":[{"property":"road"},{"type":"Polygon",'
            '"coordinates":[[[43.7286,-79.2986],[43.7311,-79.2996],[43.7323,-79.2972],[43.7326,'
            "-79.2971],[43.7350,-79.2981],[43.7350,-79.2982],[43.7352,-79.2982],[43.7357,"
            "-79.2956],[43.7337,-79.2948],[43.7343,-79.2933],[43.7339,-79.2923],[43.7327,"
            "-79.2947],[43.7320,-79.2942],[43.7322,-79.2937],[43.7306,-79.2930],[43.7303,"
            "-79.2930],[43.7299,-79.2928],[43.7286,-79.2986]]]}]}"
        ),
        id="clause7_10",
    ),
    pytest.param(
        "T_INTERSECTS(event_time, INTERVAL('1969-07-16T05:32:00Z', '1969-07-24T16:50:35Z'))",
        (
            '{"op":"t_intersects","args":[{"property":"event_time"},'
            '{"interval":["1969-07-16T05:32:00Z","1969-07-24T16:50:35Z"]}]}'
        ),
        id="clause7_12",
    ),
    pytest.param(
        (
            "T_DURING(INTERVAL(touchdown, liftOff), INTERVAL('1969-07-16T13:32:00Z', "
            "'1969-07-24T16:50:35Z'))"
        ),
        (
            '{"op":"t_during","args":[{"interval":[{"property":"touchdown"},'
            '{"property":"liftOff"}]},{"interval":["1969-07-16T13:32:00Z",'
            '"1969-07-24T16:50:35Z"]}]}'
        ),
        id="clause7_13",
    ),
    pytest.param(
        "A_CONTAINS(layer:ids, ('layers-ca','layers-us'))",
        '{"op":"a_contains","args":[{"property":"layer:ids"},["layers-ca","layers-us"]]}',
        id="clause7_15",
    ),
    pytest.param(
        (
            "S_CROSSES(LINESTRING(43.72992 -79.2998, 43.73005 -79.2991, 43.73006 -79.2984, "
            "43.73140 -79.2956, 43.73259 -79.2950, 43.73266 -79.2945, 43.73320 -79.2936, "
            "43.73378 -79.2936, 43.73486 -79.2917), POLYGON((43.7286 -79.2986, 43.7311 -79.2996, "
            "43.7323 -79.2972, 43.7326 -79.2971, 43.7350 -79.2981, 43.7350 -79.2982, 43.7352 "
            "-79.2982, 43.7357 -79.2956, 43.7337 -79.2948, 43.7343 -79.2933, 43.7339 -79.2923, "
            "43.7327 -79.2947, 43.7320 -79.2942, 43.7322 -79.2937, 43.7306 -79.2930, 43.7303 "
            "-79.2930, 43.7299 -79.2928, 43.7286 -79.2986)))"
        ),
        (
            '{"op":"s_crosses","args":[{"type":"LineString","coordinates":[[43.72992,-79.2998],'
            "[43.73005,-79.2991],[43.73006,-79.2984],[43.73140,-79.2956],[43.73259,-79.2950],"
            "[43.73266,-79.2945],[43.73320,-79.2936],[43.73378,-79.2936],[43.73486,-79.2917]]},"
            '{"type":"Polygon","coordinates":[[[43.7286,-79.2986],[43.7311,-79.2996],[43.7323,'
            "-79.2972],[43.7326,-79.2971],[43.7350,-79.2981],[43.7350,-79.2982],[43.7352,"
            "-79.2982],[43.7357,-79.2956],[43.7337,-79.2948],[43.7343,-79.2933],[43.7339,"
            "-79.2923],[43.7327,-79.2947],[43.7320,-79.2942],[43.7322,-79.2937],[43.7306,"
            "-79.2930],[43.7303,-79.2930],[43.7299,-79.2928],[43.7286,-79.2986]]]}]}"
        ),
        id="clause7_16",
    ),
    pytest.param(
        (
            "T_DURING(INTERVAL('1969-07-20T20:17:40Z', '1969-07-21T17:54:00Z'), "
            "INTERVAL('1969-07-16T13:32:00Z', '1969-07-24T16:50:35Z'))"
        ),
        (
            '{"op":"t_during","args":[{"interval":["1969-07-20T20:17:40Z",'
            '"1969-07-21T17:54:00Z"]},{"interval":["1969-07-16T13:32:00Z",'
            '"1969-07-24T16:50:35Z"]}]}'
        ),
        id="clause7_17",
    ),
    pytest.param(
        "S_WITHIN(road,Buffer(geometry,10,'m'))",
        (
            '{"op":"s_within","args":[{"property":"road"},{"op":"Buffer",'
            '"args":[{"property":"geometry"},10,"m"]}]}'
        ),
        id="clause7_18",
    ),
    pytest.param(
        "vehicle_height > (bridge_clearance-1)",
        (
            '{"op":">","args":[{"property":"vehicle_height"},{"op":"-",'
            '"args":[{"property":"bridge_clearance"},1]}]}'
        ),
        id="clause7_19",
    ),
    pytest.param(
        "landsat:scene_id = 'LC82030282019133LGN00'",
        '{"op":"=","args":[{"property":"landsat:scene_id"},"LC82030282019133LGN00"]}',
        id="example01",
    ),
    pytest.param(
        "eo:instrument LIKE 'OLI%'",
        '{"op":"like","args":[{"property":"eo:instrument"},"OLI%"]}',
        id="example02",
    ),
    pytest.param(
        "landsat:wrs_path IN ('153','154','15X')",
        '{"op":"in","args":[{"property":"landsat:wrs_path"},["153","154","15X"]]}',
        id="example03",
    ),
    pytest.param(
        "eo:cloud_cover < 0.1 AND landsat:wrs_row=28 AND landsat:wrs_path=203",
        (
            '{"op":"and","args":[{"op":"<","args":[{"property":"eo:cloud_cover"},0.1]},{"op":"=",'
            '"args":[{"property":"landsat:wrs_row"},28]},{"op":"=",'
            '"args":[{"property":"landsat:wrs_path"},203]}]}'
        ),
        id="example04",
    ),
    pytest.param(
        "eo:cloud_cover=0.1 OR eo:cloud_cover=0.2",
        (
            '{"op":"or","args":[{"op":"=","args":[{"property":"eo:cloud_cover"},0.1]},{"op":"=",'
            '"args":[{"property":"eo:cloud_cover"},0.2]}]}'
        ),
        id="example05a",
    ),
    pytest.param(
        "eo:cloud_cover IN (0.1,0.2)",
        '{"op":"in","args":[{"property":"eo:cloud_cover"},[0.1,0.2]]}',
        id="example05b",
    ),
    pytest.param(
        "eo:cloud_cover BETWEEN 0.1 AND 0.2 AND landsat:wrs_row=28 AND landsat:wrs_path=203",
        (
            '{"op":"and","args":[{"op":"between","args":[{"property":"eo:cloud_cover"},0.1,0.2]},'
            '{"op":"=","args":[{"property":"landsat:wrs_row"},28]},{"op":"=",'
            '"args":[{"property":"landsat:wrs_path"},203]}]}'
        ),
        id="example06a",
    ),
    pytest.param(
        (
            "eo:cloud_cover >= 0.1 AND eo:cloud_cover <= 0.2 AND landsat:wrs_row=28 AND "
            "landsat:wrs_path=203"
        ),
        (
            '{"op":"and","args":[{"op":">=","args":[{"property":"eo:cloud_cover"},0.1]},'
            '{"op":"<=","args":[{"property":"eo:cloud_cover"},0.2]},{"op":"=",'
            '"args":[{"property":"landsat:wrs_row"},28]},{"op":"=",'
            '"args":[{"property":"landsat:wrs_path"},203]}]}'
        ),
        id="example06b",
    ),
    pytest.param(
        (
            "eo:instrument LIKE 'OLI%' AND S_INTERSECTS(footprint,POLYGON((43.5845 -79.5442, "
            "43.6079 -79.4893, 43.5677 -79.4632, 43.6129 -79.3925, 43.6223 -79.3238, 43.6576 "
            "-79.3163, 43.7945 -79.1178, 43.8144 -79.1542, 43.8555 -79.1714, 43.7509 -79.6390, "
            "43.5845 -79.5442)))"
        ),
        (
            '{"op":"and","args":[{"op":"like","args":[{"property":"eo:instrument"},"OLI%"]},'
            '{"op":"s_intersects","args":[{"property":"footprint"},{"type":"Polygon",'
            '"coordinates":[[[43.5845,-79.5442],[43.6079,-79.4893],[43.5677,-79.4632],[43.6129,'
            "-79.3925],[43.6223,-79.3238],[43.6576,-79.3163],[43.7945,-79.1178],[43.8144,"
            "-79.1542],[43.8555,-79.1714],[43.7509,-79.639],[43.5845,-79.5442]]]}]}]}"
        ),
        id="example07",
    ),
    pytest.param(
        (
            "beamMode='ScanSAR Narrow' AND swathDirection='ascending' AND "
            "polarization='HH+VV+HV+VH' AND s_intersects(footprint,POLYGON((-77.117938 38.936860,"
            " -77.040604 39.995648, -76.910536 38.892912, -77.039359 38.791753, -77.047906 "
            "38.841462, -77.034183 38.840655, -77.033142 38.857490, -77.117938 38.936860)))"
        ),
        (
            '{"op":"and","args":[{"op":"=","args":[{"property":"beamMode"},"ScanSAR Narrow"]},'
            '{"op":"=","args":[{"property":"swathDirection"},"ascending"]},{"op":"=",'
            '"args":[{"property":"polarization"},"HH+VV+HV+VH"]},{"op":"s_intersects",'
            '"args":[{"property":"footprint"},{"type":"Polygon","coordinates":[[[-77.117938,'
            "38.936860],[-77.040604,39.995648],[-76.910536,38.892912],[-77.039359,38.791753],"
            "[-77.047906,38.841462],[-77.034183,38.840655],[-77.033142,38.857490],[-77.117938,"
            "38.936860]]]}]}]}"
        ),
        id="example08",
    ),
    pytest.param(
        "floors>5",
        '{"op":">","args":[{"property":"floors"},5]}',
        id="example09",
    ),
    pytest.param(
        "taxes <= 500",
        '{"op":"<=","args":[{"property":"taxes"},500]}',
        id="example10",
    ),
    pytest.param(
        "owner LIKE '%Jones%'",
        '{"op":"like","args":[{"property":"owner"},"%Jones%"]}',
        id="example11",
    ),
    pytest.param(
        "owner LIKE 'Mike%'",
        '{"op":"like","args":[{"property":"owner"},"Mike%"]}',
        id="example12",
    ),
    pytest.param(
        "owner NOT LIKE '%Mike%'",
        '{"op":"not","args":[{"op":"like","args":[{"property":"owner"},"%Mike%"]}]}',
        id="example13",
    ),
    pytest.param(
        "swimming_pool = true",
        '{"op":"=","args":[{"property":"swimming_pool"},true]}',
        id="example14",
    ),
    pytest.param(
        "floors>5 AND swimming_pool=true",
        (
            '{"op":"and","args":[{"op":">","args":[{"property":"floors"},5]},{"op":"=",'
            '"args":[{"property":"swimming_pool"},true]}]}'
        ),
        id="example15",
    ),
    pytest.param(
        "swimming_pool=true AND (floors>5 OR material LIKE 'brick%' OR material LIKE '%brick')",
        (
            '{"op":"and","args":[{"op":"=","args":[{"property":"swimming_pool"},true]},'
            '{"op":"or","args":[{"op":">","args":[{"property":"floors"},5]},{"op":"like",'
            '"args":[{"property":"material"},"brick%"]},{"op":"like",'
            '"args":[{"property":"material"},"%brick"]}]}]}'
        ),
        id="example16",
    ),
    pytest.param(
        "(floors>5 AND material='brick') OR swimming_pool=true",
        (
            '{"op":"or","args":[{"op":"and","args":[{"op":">","args":[{"property":"floors"},5]},'
            '{"op":"=","args":[{"property":"material"},"brick"]}]},{"op":"=",'
            '"args":[{"property":"swimming_pool"},true]}]}'
        ),
        id="example17",
    ),
    pytest.param(
        "NOT (floors<5) OR swimming_pool=true",
        (
            '{"op":"or","args":[{"op":"not","args":[{"op":"<","args":[{"property":"floors"},'
            '5]}]},{"op":"=","args":[{"property":"swimming_pool"},true]}]}'
        ),
        id="example18",
    ),
    pytest.param(
        "(owner LIKE 'mike%' OR owner LIKE 'Mike%') AND floors<4",
        (
            '{"op":"and","args":[{"op":"or","args":[{"op":"like","args":[{"property":"owner"},'
            '"mike%"]},{"op":"like","args":[{"property":"owner"},"Mike%"]}]},{"op":"<",'
            '"args":[{"property":"floors"},4]}]}'
        ),
        id="example19",
    ),
    pytest.param(
        "T_BEFORE(built, DATE('2015-01-01'))",
        '{"op":"t_before","args":[{"property":"built"},{"date":"2015-01-01"}]}',
        id="example20",
    ),
    pytest.param(
        "T_AFTER(built,DATE('2012-06-05'))",
        '{"op":"t_after","args":[{"property":"built"},{"date":"2012-06-05"}]}',
        id="example21",
    ),
    pytest.param(
        (
            "T_DURING(INTERVAL(starts_at, ends_at), INTERVAL('2017-06-10T07:30:00Z', "
            "'2017-06-11T10:30:00Z'))"
        ),
        (
            '{"op":"t_during","args":[{"interval":[{"property":"starts_at"},'
            '{"property":"ends_at"}]},{"interval":["2017-06-10T07:30:00Z",'
            '"2017-06-11T10:30:00Z"]}]}'
        ),
        id="example22",
    ),
    pytest.param(
        "S_WITHIN(location,BBOX(-118,33.8,-117.9,34))",
        '{"op":"s_within","args":[{"property":"location"},{"bbox":[-118,33.8,-117.9,34]}]}',
        id="example23",
    ),
    pytest.param(
        "S_INTERSECTS(geometry,POLYGON((-10.0 -10.0,10.0 -10.0,10.0 10.0,-10.0 -10.0)))",
        (
            '{"op":"s_intersects","args":[{"property":"geometry"},{"type":"Polygon",'
            '"coordinates":[[[-10,-10],[10,-10],[10,10],[-10,-10]]]}]}'
        ),
        id="example24",
    ),
    pytest.param(
        "floors>5 AND S_WITHIN(geometry,BBOX(-118,33.8,-117.9,34))",
        (
            '{"op":"and","args":[{"op":">","args":[{"property":"floors"},5]},{"op":"s_within",'
            '"args":[{"property":"geometry"},{"bbox":[-118,33.8,-117.9,34]}]}]}'
        ),
        id="example25",
    ),
    pytest.param(
        "ACCENTI(etat_vol) = ACCENTI('débárquér')",
        (
            '{"op":"=","args":[{"op":"accenti","args":[{"property":"etat_vol"}]},{"op":"accenti",'
            '"args":["débárquér"]}]}'
        ),
        id="example27",
    ),
    pytest.param(
        "CASEI(geophys:SURVEY_NAME) LIKE CASEI('%calcutta%')",
        (
            '{"op":"like","args":[{"op":"casei","args":[{"property":"geophys:SURVEY_NAME"}]},'
            '{"op":"casei","args":["%calcutta%"]}]}'
        ),
        id="example28",
    ),
    pytest.param(
        "\"id\" = 'fa7e1920-9107-422d-a3db-c468cbc5d6df'",
        '{"op":"=","args":[{"property":"id"},"fa7e1920-9107-422d-a3db-c468cbc5d6df"]}',
        id="example29",
    ),
    pytest.param(
        "\"id\" <> 'fa7e1920-9107-422d-a3db-c468cbc5d6df'",
        '{"op":"<>","args":[{"property":"id"},"fa7e1920-9107-422d-a3db-c468cbc5d6df"]}',
        id="example30",
    ),
    pytest.param(
        '"value" < 10',
        '{"op":"<","args":[{"property":"value"},10]}',
        id="example31",
    ),
    pytest.param(
        '"value" > 10',
        '{"op":">","args":[{"property":"value"},10]}',
        id="example32",
    ),
    pytest.param(
        '"value" <= 10',
        '{"op":"<=","args":[{"property":"value"},10]}',
        id="example33",
    ),
    pytest.param(
        '"value" >= 10',
        '{"op":">=","args":[{"property":"value"},10]}',
        id="example34",
    ),
    pytest.param(
        "\"name\" LIKE 'foo%'",
        '{"op":"like","args":[{"property":"name"},"foo%"]}',
        id="example35",
    ),
    pytest.param(
        "NOT \"name\" LIKE 'foo%'",
        '{"op":"not","args":[{"op":"like","args":[{"property":"name"},"foo%"]}]}',
        id="example36",
    ),
    pytest.param(
        '"value" BETWEEN 10 AND 20',
        '{"op":"between","args":[{"property":"value"},10,20]}',
        id="example37",
    ),
    pytest.param(
        'NOT "value" BETWEEN 10 AND 20',
        '{"op":"not","args":[{"op":"between","args":[{"property":"value"},10,20]}]}',
        id="example38",
    ),
    pytest.param(
        '"value" IN (1.0, 2.0, 3.0)',
        '{"op":"in","args":[{"property":"value"},[1.0,2.0,3.0]]}',
        id="example39",
    ),
    pytest.param(
        "NOT \"value\" IN ('a', 'b', 'c')",
        '{"op":"not","args":[{"op":"in","args":[{"property":"value"},["a","b","c"]]}]}',
        id="example40",
    ),
    pytest.param(
        '"value" IS NULL',
        '{"op":"isNull","args":[{"property":"value"}]}',
        id="example41",
    ),
    pytest.param(
        'NOT "value" IS NULL',
        '{"op":"not","args":[{"op":"isNull","args":[{"property":"value"}]}]}',
        id="example42",
    ),
    pytest.param(
        '(NOT "name" LIKE \'foo%\' AND "value" > 10)',
        (
            '{"op":"and","args":[{"op":"not","args":[{"op":"like","args":[{"property":"name"},'
            '"foo%"]}]},{"op":">","args":[{"property":"value"},10]}]}'
        ),
        id="example43",
    ),
    pytest.param(
        '("value" IS NULL OR "value" BETWEEN 10 AND 20)',
        (
            '{"op":"or","args":[{"op":"isNull","args":[{"property":"value"}]},{"op":"between",'
            '"args":[{"property":"value"},10,20]}]}'
        ),
        id="example44",
    ),
    pytest.param(
        'S_INTERSECTS("geometry", BBOX(-128.098193, -1.1, -99999.0, 180.0, 90.0, 100000.0))',
        (
            '{"op":"s_intersects","args":[{"property":"geometry"},{"bbox":[-128.098193,-1.1,'
            "-99999.0,180.0,90.0,100000.0]}]}"
        ),
        id="example45",
    ),
    pytest.param(
        (
            "S_EQUALS(POLYGON ((-0.333333 89.0, -102.723546 -0.5, -179.0 -89.0, -1.9 89.0, -0.0 "
            '89.0, 2.00001 -1.9, -0.333333 89.0)), "geometry")'
        ),
        (
            '{"op":"s_equals","args":[{"type":"Polygon","coordinates":[[[-0.333333,89.0],'
            "[-102.723546,-0.5],[-179.0,-89.0],[-1.9,89.0],[-0.0,89.0],[2.00001,-1.9],[-0.333333,"
            '89.0]]]},{"property":"geometry"}]}'
        ),
        id="example46",
    ),
    pytest.param(
        (
            'S_DISJOINT("geometry", MULTIPOLYGON (((144.022387 45.176126, -1.1 0.0, 180.0 '
            "47.808086, 144.022387 45.176126))))"
        ),
        (
            '{"op":"s_disjoint","args":[{"property":"geometry"},{"type":"MultiPolygon",'
            '"coordinates":[[[[144.022387,45.176126],[-1.1,0.0],[180.0,47.808086],[144.022387,'
            "45.176126]]]]}]}"
        ),
        id="example47",
    ),
    pytest.param(
        (
            'S_TOUCHES("geometry", MULTILINESTRING ((-1.9 -0.99999, 75.292574 1.5, -0.5 '
            "-4.016458, -31.708594 -74.743801, 179.0 -90.0),(-1.9 -1.1, 1.5 8.547371)))"
        ),
        (
            '{"op":"s_touches","args":[{"property":"geometry"},{"type":"MultiLineString",'
            '"coordinates":[[[-1.9,-0.99999],[75.292574,1.5],[-0.5,-4.016458],[-31.708594,'
            "-74.743801],[179.0,-90.0]],[[-1.9,-1.1],[1.5,8.547371]]]}]}"
        ),
        id="example48",
    ),
    pytest.param(
        (
            "S_WITHIN(POLYGON Z ((-49.88024 0.5 -75993.341684, -1.5 -0.99999 -100000.0, 0.0 0.5 "
            "-0.333333, -49.88024 0.5 -75993.341684), (-65.887123 2.00001 -100000.0, 0.333333 "
            "-53.017711 -79471.332949, 180.0 0.0 1852.616704, -65.887123 2.00001 -100000.0)), "
            '"geometry")'
        ),
        (
            '{"op":"s_within","args":[{"type":"Polygon","coordinates":[[[-49.88024,0.5,'
            "-75993.341684],[-1.5,-0.99999,-100000.0],[0.0,0.5,-0.333333],[-49.88024,0.5,"
            "-75993.341684]],[[-65.887123,2.00001,-100000.0],[0.333333,-53.017711,-79471.332949],"
            '[180.0,0.0,1852.616704],[-65.887123,2.00001,-100000.0]]]},{"property":"geometry"}]}'
        ),
        id="example49",
    ),
    pytest.param(
        'S_OVERLAPS("geometry", BBOX(-179.912109, 1.9, 180.0, 16.897016))',
        (
            '{"op":"s_overlaps","args":[{"property":"geometry"},{"bbox":[-179.912109,1.9,180.0,'
            "16.897016]}]}"
        ),
        id="example50",
    ),
    pytest.param(
        (
            'S_CROSSES("geometry", LINESTRING (172.03086 1.5, 1.1 -90.0, -159.757695 0.99999, '
            "-180.0 0.5, -12.111235 81.336403, -0.5 64.43958, 0.0 81.991815, -155.93831 90.0))"
        ),
        (
            '{"op":"s_crosses","args":[{"property":"geometry"},{"type":"LineString",'
            '"coordinates":[[172.03086,1.5],[1.1,-90.0],[-159.757695,0.99999],[-180.0,0.5],'
            "[-12.111235,81.336403],[-0.5,64.43958],[0.0,81.991815],[-155.93831,90.0]]}]}"
        ),
        id="example51",
    ),
    pytest.param(
        'S_CONTAINS("geometry", POINT (-3.508362 -1.754181))',
        (
            '{"op":"s_contains","args":[{"property":"geometry"},{"type":"Point",'
            '"coordinates":[-3.508362,-1.754181]}]}'
        ),
        id="example52",
    ),
    pytest.param(
        "T_AFTER(\"updated_at\", DATE('2010-02-10'))",
        '{"op":"t_after","args":[{"property":"updated_at"},{"date":"2010-02-10"}]}',
        id="example53",
    ),
    pytest.param(
        "T_BEFORE(\"updated_at\", TIMESTAMP('2012-08-10T05:30:00.000000Z'))",
        '{"op":"t_before","args":[{"property":"updated_at"},{"timestamp":"2012-08-10T05:30:00Z"}]}',
        id="example54",
    ),
    pytest.param(
        (
            "T_CONTAINS(INTERVAL('2000-01-01T00:00:00.000000Z', '2005-01-10T01:01:01.393216Z'), "
            "INTERVAL(starts_at, ends_at))"
        ),
        (
            '{"op":"t_contains","args":[{"interval":["2000-01-01T00:00:00Z",'
            '"2005-01-10T01:01:01.393216Z"]},{"interval":[{"property":"starts_at"},'
            '{"property":"ends_at"}]}]}'
        ),
        id="example55",
    ),
    pytest.param(
        "T_DISJOINT(INTERVAL('..', '2005-01-10T01:01:01.393216Z'), INTERVAL(starts_at, ends_at))",
        (
            '{"op":"t_disjoint","args":[{"interval":["..","2005-01-10T01:01:01.393216Z"]},'
            '{"interval":[{"property":"starts_at"},{"property":"ends_at"}]}]}'
        ),
        id="example56",
    ),
    pytest.param(
        "T_DURING(INTERVAL(starts_at, ends_at), INTERVAL('2005-01-10', '2010-02-10'))",
        (
            '{"op":"t_during","args":[{"interval":[{"property":"starts_at"},'
            '{"property":"ends_at"}]},{"interval":["2005-01-10","2010-02-10"]}]}'
        ),
        id="example57",
    ),
    pytest.param(
        "T_EQUALS(\"updated_at\", DATE('1851-04-29'))",
        '{"op":"t_equals","args":[{"property":"updated_at"},{"date":"1851-04-29"}]}',
        id="example58",
    ),
    pytest.param(
        (
            "T_FINISHEDBY(INTERVAL(starts_at, ends_at), INTERVAL('1991-10-07T08:21:06.393262Z', "
            "'2010-02-10T05:29:20.073225Z'))"
        ),
        (
            '{"op":"t_finishedBy","args":[{"interval":[{"property":"starts_at"},'
            '{"property":"ends_at"}]},{"interval":["1991-10-07T08:21:06.393262Z",'
            '"2010-02-10T05:29:20.073225Z"]}]}'
        ),
        id="example59",
    ),
    pytest.param(
        (
            "T_FINISHES(INTERVAL(starts_at, ends_at), INTERVAL('1991-10-07', "
            "'2010-02-10T05:29:20.073225Z'))"
        ),
        (
            '{"op":"t_finishes","args":[{"interval":[{"property":"starts_at"},'
            '{"property":"ends_at"}]},{"interval":["1991-10-07","2010-02-10T05:29:20.073225Z"]}]}'
        ),
        id="example60",
    ),
    pytest.param(
        (
            "T_INTERSECTS(INTERVAL(starts_at, ends_at), INTERVAL('1991-10-07T08:21:06.393262Z', "
            "'2010-02-10T05:29:20.073225Z'))"
        ),
        (
            '{"op":"t_intersects","args":[{"interval":[{"property":"starts_at"},'
            '{"property":"ends_at"}]},{"interval":["1991-10-07T08:21:06.393262Z",'
            '"2010-02-10T05:29:20.073225Z"]}]}'
        ),
        id="example61",
    ),
    pytest.param(
        "T_MEETS(INTERVAL('2005-01-10', '2010-02-10'), INTERVAL(starts_at, ends_at))",
        (
            '{"op":"t_meets","args":[{"interval":["2005-01-10","2010-02-10"]},'
            '{"interval":[{"property":"starts_at"},{"property":"ends_at"}]}]}'
        ),
        id="example62",
    ),
    pytest.param(
        (
            "T_METBY(INTERVAL('2010-02-10T05:29:20.073225Z', '2010-10-07'), INTERVAL(starts_at, "
            "ends_at))"
        ),
        (
            '{"op":"t_metBy","args":[{"interval":["2010-02-10T05:29:20.073225Z","2010-10-07"]},'
            '{"interval":[{"property":"starts_at"},{"property":"ends_at"}]}]}'
        ),
        id="example63",
    ),
    pytest.param(
        (
            "T_OVERLAPPEDBY(INTERVAL('1991-10-07T08:21:06.393262Z', "
            "'2010-02-10T05:29:20.073225Z'), INTERVAL(starts_at, ends_at))"
        ),
        (
            '{"op":"t_overlappedBy","args":[{"interval":["1991-10-07T08:21:06.393262Z",'
            '"2010-02-10T05:29:20.073225Z"]},{"interval":[{"property":"starts_at"},'
            '{"property":"ends_at"}]}]}'
        ),
        id="example64",
    ),
    pytest.param(
        (
            "T_OVERLAPS(INTERVAL(starts_at, ends_at), INTERVAL('1991-10-07T08:21:06.393262Z', "
            "'1992-10-09T08:08:08.393473Z'))"
        ),
        (
            '{"op":"t_overlaps","args":[{"interval":[{"property":"starts_at"},'
            '{"property":"ends_at"}]},{"interval":["1991-10-07T08:21:06.393262Z",'
            '"1992-10-09T08:08:08.393473Z"]}]}'
        ),
        id="example65",
    ),
    pytest.param(
        (
            "T_STARTEDBY(INTERVAL('1991-10-07T08:21:06.393262Z', '2010-02-10T05:29:20.073225Z'), "
            "INTERVAL(starts_at, ends_at))"
        ),
        (
            '{"op":"t_startedBy","args":[{"interval":["1991-10-07T08:21:06.393262Z",'
            '"2010-02-10T05:29:20.073225Z"]},{"interval":[{"property":"starts_at"},'
            '{"property":"ends_at"}]}]}'
        ),
        id="example66",
    ),
    pytest.param(
        "T_STARTS(INTERVAL(starts_at, ends_at), INTERVAL('1991-10-07T08:21:06.393262Z', '..'))",
        (
            '{"op":"t_starts","args":[{"interval":[{"property":"starts_at"},'
            '{"property":"ends_at"}]},{"interval":["1991-10-07T08:21:06.393262Z",".."]}]}'
        ),
        id="example67",
    ),
    pytest.param(
        'Foo("geometry") = TRUE',
        '{"op":"=","args":[{"op":"Foo","args":[{"property":"geometry"}]},true]}',
        id="example68",
    ),
    pytest.param(
        "FALSE <> Bar(\"geometry\", 100, 'a', 'b', FALSE)",
        (
            '{"op":"<>","args":[false,{"op":"Bar","args":[{"property":"geometry"},100,"a","b",'
            "false]}]}"
        ),
        id="example69",
    ),
    pytest.param(
        "ACCENTI(\"owner\") = ACCENTI('Beyoncé')",
        (
            '{"op":"=","args":[{"op":"accenti","args":[{"property":"owner"}]},{"op":"accenti",'
            '"args":["Beyoncé"]}]}'
        ),
        id="example70",
    ),
    pytest.param(
        "CASEI(\"owner\") = CASEI('somebody else')",
        (
            '{"op":"=","args":[{"op":"casei","args":[{"property":"owner"}]},{"op":"casei",'
            '"args":["somebody else"]}]}'
        ),
        id="example71",
    ),
    pytest.param(
        '"value" > ("foo" + 10)',
        '{"op":">","args":[{"property":"value"},{"op":"+","args":[{"property":"foo"},10]}]}',
        id="example72",
    ),
    pytest.param(
        '"value" < ("foo" - 10)',
        '{"op":"<","args":[{"property":"value"},{"op":"-","args":[{"property":"foo"},10]}]}',
        id="example73",
    ),
    pytest.param(
        '"value" <> (22.1 * "foo")',
        '{"op":"<>","args":[{"property":"value"},{"op":"*","args":[22.1,{"property":"foo"}]}]}',
        id="example74",
    ),
    pytest.param(
        '"value" = (2 / "foo")',
        '{"op":"=","args":[{"property":"value"},{"op":"/","args":[2,{"property":"foo"}]}]}',
        id="example75",
    ),
    pytest.param(
        '"value" <= (2 ^ "foo")',
        '{"op":"<=","args":[{"property":"value"},{"op":"^","args":[2,{"property":"foo"}]}]}',
        id="example76",
    ),
    pytest.param(
        '0 = ("foo" % 2)',
        '{"op":"=","args":[0,{"op":"%","args":[{"property":"foo"},2]}]}',
        id="example77",
    ),
    pytest.param(
        '1 = ("foo" div 2)',
        '{"op":"=","args":[1,{"op":"div","args":[{"property":"foo"},2]}]}',
        id="example78",
    ),
    pytest.param(
        "A_CONTAINEDBY(\"values\", ('a', 'b', 'c'))",
        '{"op":"a_containedBy","args":[{"property":"values"},["a","b","c"]]}',
        id="example79",
    ),
    pytest.param(
        "A_CONTAINS(\"values\", ('a', 'b', 'c'))",
        '{"op":"a_contains","args":[{"property":"values"},["a","b","c"]]}',
        id="example80",
    ),
    pytest.param(
        "A_EQUALS(('a', TRUE, 1.0, 8), \"values\")",
        '{"op":"a_equals","args":[["a",true,1.0,8],{"property":"values"}]}',
        id="example81",
    ),
    pytest.param(
        (
            "A_OVERLAPS(\"values\", (TIMESTAMP('2012-08-10T05:30:00.000000Z'), "
            "DATE('2010-02-10'), FALSE))"
        ),
        (
            '{"op":"a_overlaps","args":[{"property":"values"},'
            '[{"timestamp":"2012-08-10T05:30:00Z"},{"date":"2010-02-10"},false]]}'
        ),
        id="example82",
    ),
    pytest.param(
        (
            "S_EQUALS(MULTIPOINT ((180.0 -0.5), (179.0 -47.121701), (180.0 -0.0), (33.470475 "
            '-0.99999), (179.0 -15.333062)), "geometry")'
        ),
        (
            '{"op":"s_equals","args":[{"type":"MultiPoint","coordinates":[[180.0,-0.5],[179.0,'
            "-47.121701],[180.0,-0.0],[33.470475,-0.99999],[179.0,-15.333062]]},"
            '{"property":"geometry"}]}'
        ),
        id="example83",
    ),
    pytest.param(
        (
            "S_EQUALS(GEOMETRYCOLLECTION (POINT (1.9 2.00001), POINT (0.0 -2.00001), "
            "MULTILINESTRING ((-2.00001 -0.0, -77.292642 -0.5, -87.515626 -0.0, -180.0 12.502773,"
            " 21.204842 -1.5, -21.878857 -90.0)), POINT (1.9 0.5), LINESTRING (179.0 1.179148, "
            '-148.192487 -65.007816, 0.5 0.333333)), "geometry")'
        ),
        (
            '{"op":"s_equals","args":[{"type":"GeometryCollection","geometries":[{"type":"Point",'
            '"coordinates":[1.9,2.00001]},{"type":"Point","coordinates":[0.0,-2.00001]},'
            '{"type":"MultiLineString","coordinates":[[[-2.00001,-0.0],[-77.292642,-0.5],'
            "[-87.515626,-0.0],[-180.0,12.502773],[21.204842,-1.5],[-21.878857,-90.0]]]},"
            '{"type":"Point","coordinates":[1.9,0.5]},{"type":"LineString","coordinates":[[179.0,'
            '1.179148],[-148.192487,-65.007816],[0.5,0.333333]]}]},{"property":"geometry"}]}'
        ),
        id="example84",
    ),
    pytest.param(
        '"value" = ((((-1 * "foo") * 2.0) + ("bar" / 6.1234)) - ("x" ^ 2.0))',
        (
            '{"op":"=","args":[{"property":"value"},{"op":"-","args":[{"op":"+",'
            '"args":[{"op":"*","args":[{"op":"*","args":[-1,{"property":"foo"}]},2.0]},{"op":"/",'
            '"args":[{"property":"bar"},6.1234]}]},{"op":"^","args":[{"property":"x"},2.0]}]}]}'
        ),
        id="example85",
    ),
    pytest.param(
        "\"name\" LIKE CASEI('FOO%')",
        '{"op":"like","args":[{"property":"name"},{"op":"casei","args":["FOO%"]}]}',
        id="example86",
    ),
]


@pytest.mark.parametrize(("text", "document"), STANDARD_EXAMPLES)
def test_standard_examples_parse_alike_in_both_encodings(text: str, document: str) -> None:
    tree = parse_cql2_text(text)
    assert tree == parse_cql2_json(document)
    assert tree == parse_cql2_json(json.loads(document))


def a(name: str) -> PropertyRef:
    return PropertyRef(name)


def n(value: float) -> NumberLiteral:
    return NumberLiteral(value)


def eq(left: Node, right: Node) -> Comparison:
    return Comparison("=", left, right)


def test_boolean_precedence_is_or_then_and_then_not() -> None:
    tree = parse_cql2_text("a = 1 OR b = 2 AND NOT c = 3 AND d = 4")
    assert tree == Or(
        (
            eq(a("a"), n(1)),
            And((eq(a("b"), n(2)), Not(eq(a("c"), n(3))), eq(a("d"), n(4)))),
        )
    )
    assert parse_cql2_text("NOT (a = 1 OR b = 2)") == Not(Or((eq(a("a"), n(1)), eq(a("b"), n(2)))))
    assert parse_cql2_text("NOT NOT TRUE") == Not(Not(BooleanLiteral(True)))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "1 + 2 * 3 ^ 2",
            Arithmetic("+", n(1), Arithmetic("*", n(2), Arithmetic("^", n(3), n(2)))),
        ),
        ("10 - 4 - 3", Arithmetic("-", Arithmetic("-", n(10), n(4)), n(3))),
        ("2 ^ 3 ^ 2", Arithmetic("^", n(2), Arithmetic("^", n(3), n(2)))),
        ("7 div 2 % 3", Arithmetic("%", Arithmetic("div", n(7), n(2)), n(3))),
        ("7 DIV 2", Arithmetic("div", n(7), n(2))),
        ("(1 + 2) * 3", Arithmetic("*", Arithmetic("+", n(1), n(2)), n(3))),
        ("-x", Arithmetic("*", n(-1), a("x"))),
        ("- 3", n(-3)),
        ("+3", n(3)),
        ("-(x + 1)", Arithmetic("*", n(-1), Arithmetic("+", a("x"), n(1)))),
        ("x - -1", Arithmetic("-", a("x"), n(-1))),
        ("x-1", Arithmetic("-", a("x"), n(1))),
    ],
)
def test_arithmetic_precedence_and_signs(text: str, expected: Node) -> None:
    assert parse_cql2_text(f"v = {text}") == eq(a("v"), expected)


@pytest.mark.parametrize(
    ("literal", "expected"),
    [
        ("'Via dell''Avvento'", StringLiteral("Via dell'Avvento")),
        ("'it\\'s'", StringLiteral("it's")),
        ("''", StringLiteral("")),
        ("'100\\%'", StringLiteral("100\\%")),
        ("'Straße Οδος'", StringLiteral("Straße Οδος")),
        ("1e3", n(1000.0)),
        ("1.5E-2", n(0.015)),
        (".5", n(0.5)),
        ("5.", n(5.0)),
        ("42", n(42)),
        ("true", BooleanLiteral(True)),
        ("False", BooleanLiteral(False)),
        ("date('1969-07-20')", DateLiteral(date(1969, 7, 20))),
        (
            "TIMESTAMP('1969-07-20T20:17:40.123456789Z')",
            TimestampLiteral(datetime(1969, 7, 20, 20, 17, 40, 123456, tzinfo=UTC)),
        ),
        (
            "timestamp('2020-01-01T12:00:00+02:00')",
            TimestampLiteral(datetime(2020, 1, 1, 10, 0, tzinfo=UTC)),
        ),
        ("INTERVAL('..', '..')", IntervalLiteral(None, None)),
        (
            "INTERVAL('2019-09-09', '..')",
            IntervalLiteral(DateLiteral(date(2019, 9, 9)), None),
        ),
        (
            "INTERVAL(DATE('2019-09-09'), created)",
            IntervalLiteral(DateLiteral(date(2019, 9, 9)), a("created")),
        ),
        ("BBOX(-10, -5.5, 10, 5.5)", BboxLiteral((-10.0, -5.5, 10.0, 5.5))),
        ("()", ArrayLiteral(())),
        ("('a', 1, TRUE)", ArrayLiteral((StringLiteral("a"), n(1), BooleanLiteral(True)))),
        ("now()", FunctionCall("now", ())),
        ("CaSeI(title)", CaseInsensitive(a("title"))),
        ("accenti(casei('É'))", AccentInsensitive(CaseInsensitive(StringLiteral("É")))),
    ],
)
def test_literals(literal: str, expected: Node) -> None:
    assert parse_cql2_text(f"v = {literal}") == eq(a("v"), expected)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ('"value" = 1', "value"),
        ('"date" = 1', "date"),
        ("date = 1", "date"),
        ("point = 1", "point"),
        ('"with space" = 1', "with space"),
        ("eo:cloud_cover = 1", "eo:cloud_cover"),
        ("a.b_c2 = 1", "a.b_c2"),
        ("höhe = 1", "höhe"),
        ("_x = 1", "_x"),
    ],
)
def test_property_names(text: str, name: str) -> None:
    assert parse_cql2_text(text) == eq(a(name), n(1))


def test_keywords_are_case_insensitive() -> None:
    lower = parse_cql2_text(
        "a like 'x%' and b between 1 and 2 or c is not null and d not in (1) "
        "and t_finishedby(interval(s, e), interval('2020-01-01', '..')) "
        "and s_intersects(g, point(1 2)) and a_containedby(k, ('x'))"
    )
    upper = parse_cql2_text(
        "a LIKE 'x%' AND b BETWEEN 1 AND 2 OR c IS NOT NULL AND NOT d IN (1) "
        "AND T_FINISHEDBY(INTERVAL(s, e), INTERVAL('2020-01-01', '..')) "
        "AND S_INTERSECTS(g, POINT(1 2)) AND A_CONTAINEDBY(k, ('x'))"
    )
    assert lower == upper
    assert isinstance(lower, Or)
    last = lower.operands[1]
    assert isinstance(last, And)
    assert isinstance(last.operands[2], TemporalPredicate)
    assert last.operands[2].op == "t_finishedBy"


def test_negated_predicates_are_not_nodes() -> None:
    assert parse_cql2_text("a NOT LIKE 'x'") == Not(Like(a("a"), StringLiteral("x")))
    assert parse_cql2_text("a NOT BETWEEN 1 AND 2") == Not(Between(a("a"), n(1), n(2)))
    assert parse_cql2_text("a NOT IN ('x')") == Not(In(a("a"), (StringLiteral("x"),)))
    assert parse_cql2_text("a IS NOT NULL") == Not(IsNull(a("a")))
    assert parse_cql2_text("(a > 1) IS NULL") == IsNull(Comparison(">", a("a"), n(1)))


def point(*coordinates: float) -> GeometryLiteral:
    return GeometryLiteral({"type": "Point", "coordinates": list(coordinates)})


@pytest.mark.parametrize(
    ("wkt", "geometry"),
    [
        ("POINT(1 2)", {"type": "Point", "coordinates": [1.0, 2.0]}),
        ("point (-1.5 +2)", {"type": "Point", "coordinates": [-1.5, 2.0]}),
        ("POINT Z(1 2 3)", {"type": "Point", "coordinates": [1.0, 2.0, 3.0]}),
        ("POINT(1 2 3)", {"type": "Point", "coordinates": [1.0, 2.0, 3.0]}),
        ("POINT EMPTY", {"type": "Point", "coordinates": []}),
        ("MULTIPOINT(1 2, 3 4)", {"type": "MultiPoint", "coordinates": [[1.0, 2.0], [3.0, 4.0]]}),
        (
            "MULTIPOINT((1 2), (3 4))",
            {"type": "MultiPoint", "coordinates": [[1.0, 2.0], [3.0, 4.0]]},
        ),
        (
            "LINESTRING(0 0, 1 1)",
            {"type": "LineString", "coordinates": [[0.0, 0.0], [1.0, 1.0]]},
        ),
        (
            "POLYGON((0 0, 4 0, 4 4, 0 0), (1 1, 2 1, 2 2, 1 1))",
            {
                "type": "Polygon",
                "coordinates": [
                    [[0.0, 0.0], [4.0, 0.0], [4.0, 4.0], [0.0, 0.0]],
                    [[1.0, 1.0], [2.0, 1.0], [2.0, 2.0], [1.0, 1.0]],
                ],
            },
        ),
        (
            "MULTILINESTRING((0 0, 1 1), (2 2, 3 3))",
            {
                "type": "MultiLineString",
                "coordinates": [[[0.0, 0.0], [1.0, 1.0]], [[2.0, 2.0], [3.0, 3.0]]],
            },
        ),
        (
            "MULTIPOLYGON(((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 5)))",
            {
                "type": "MultiPolygon",
                "coordinates": [
                    [[[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]]],
                    [[[5.0, 5.0], [6.0, 5.0], [6.0, 6.0], [5.0, 5.0]]],
                ],
            },
        ),
        (
            "GEOMETRYCOLLECTION(POINT(1 2), LINESTRING(0 0, 1 1))",
            {
                "type": "GeometryCollection",
                "geometries": [
                    {"type": "Point", "coordinates": [1.0, 2.0]},
                    {"type": "LineString", "coordinates": [[0.0, 0.0], [1.0, 1.0]]},
                ],
            },
        ),
    ],
)
def test_wkt_becomes_geojson(wkt: str, geometry: dict[str, Any]) -> None:
    tree = parse_cql2_text(f"S_INTERSECTS(geometry, {wkt})")
    assert tree == SpatialPredicate("s_intersects", a("geometry"), GeometryLiteral(geometry))
    if geometry["coordinates" if "coordinates" in geometry else "geometries"]:
        document = {"op": "s_intersects", "args": [{"property": "geometry"}, geometry]}
        assert parse_cql2_json(document) == tree


def test_array_arguments_are_always_arrays() -> None:
    tree = parse_cql2_text("A_OVERLAPS(keywords, (('a'), 'b', ()))")
    inner = ArrayLiteral((StringLiteral("a"),))
    expected = ArrayLiteral((inner, StringLiteral("b"), ArrayLiteral(())))
    assert tree == ArrayPredicate("a_overlaps", a("keywords"), expected)
    assert (
        parse_cql2_json({"op": "a_overlaps", "args": [{"property": "keywords"}, [["a"], "b", []]]})
        == tree
    )


def test_json_specifics() -> None:
    function = FunctionCall("now", ())
    assert parse_cql2_json({"function": {"name": "now", "args": []}}) == function
    assert parse_cql2_json({"op": "now", "args": []}) == function
    assert parse_cql2_json({"op": "now"}) == function
    assert parse_cql2_json('{"op": "NOT", "args": [{"op": "T_AFTER", "args": [1, 2]}]}') == Not(
        TemporalPredicate("t_after", n(1), n(2))
    )
    assert parse_cql2_json(b"true") == BooleanLiteral(True)
    assert parse_cql2_json({"op": "=", "args": [{"property": "a"}, True]}) == eq(
        a("a"), BooleanLiteral(True)
    )
    interval = {"interval": [{"date": "2020-01-01"}, {"timestamp": "2020-02-01T00:00:00Z"}]}
    assert parse_cql2_json({"op": "t_intersects", "args": [{"property": "t"}, interval]}) == (
        parse_cql2_text("T_INTERSECTS(t, INTERVAL('2020-01-01', '2020-02-01T00:00:00Z'))")
    )
    geometry = {"type": "Point", "coordinates": [1, 2], "bbox": [1, 2, 1, 2]}
    assert parse_cql2_json({"op": "s_equals", "args": [{"property": "g"}, geometry]}) == (
        SpatialPredicate("s_equals", a("g"), point(1, 2))
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The filter is empty."),
        ("   ", "The filter is empty."),
        ("a = ", "Expected a value but found end of filter at position 5."),
        ("a = 1 b", "Expected AND, OR or the end of the filter but found 'b' at position 7."),
        ("a = 1 AND", "Expected a value but found end of filter at position 10."),
        ("a = b = c", "Expected AND, OR or the end of the filter but found '=' at position 7."),
        ("a = 'abc", "Unterminated string starting at position 5."),
        ('"abc = 1', "Unterminated quoted property name starting at position 1."),
        ('"" = 1', "Empty quoted property name at position 1."),
        ("a # 1", "Unexpected character '#' at position 3."),
        ("a != 1", "Unexpected character '!' at position 3."),
        ("(a = 1", "Expected ')' but found end of filter at position 7."),
        ("a", "Expected a condition (a predicate or TRUE/FALSE) at position 1."),
        ("1 + 2", "Expected a condition (a predicate or TRUE/FALSE) at position 1."),
        ("a = 1 AND b", "Expected a condition (a predicate or TRUE/FALSE) at position 11."),
        ("b OR a = 1", "Expected a condition (a predicate or TRUE/FALSE) at position 1."),
        ("NOT 5", "Expected a condition (a predicate or TRUE/FALSE) at position 5."),
        ("a = NULL", "Expected a value but found 'NULL' at position 5."),
        ("a IN ()", "Expected a value but found ')' at position 7."),
        (
            "a LIKE b",
            "LIKE takes a string literal pattern (possibly in CASEI or ACCENTI) at position 8.",
        ),
        ("a = (b > 1)", "Expected a value, not a condition, at position 5."),
        ("(a = 1) + 1 > 2", "'+' needs a value, not a condition, at position 1."),
        ("(a = 1) = TRUE", "Expected a value, not a condition, at position 1."),
        ("S_INTERSECTS(a)", "Expected ',' but found ')' at position 15."),
        ("S_INTERSECTS(g, BBOX(1, 2, 3))", "BBOX takes 4 or 6 numbers at position 22."),
        ("S_INTERSECTS(g, POINT(1))", "Expected a number but found ')' at position 24."),
        ("S_INTERSECTS(g, POINT Z(1 2))", "Expected a number but found ')' at position 28."),
        ("S_INTERSECTS(g, POINT(1 2, 3 4))", "Expected ')' but found ',' at position 26."),
        (
            "t = TIMESTAMP('2020-01-01')",
            "is not a timestamp (YYYY-MM-DDThh:mm:ss[.fff]Z) at position 15.",
        ),
        ("t = TIMESTAMP('2020-01-01T10:00:00')", "is not a timestamp"),
        (
            "t = DATE('2020-02-30')",
            "'2020-02-30' is not a valid date: day is out of range for month",
        ),
        ("t = DATE(1)", "Expected a quoted string but found '1' at position 10."),
        ("T_AFTER(t, INTERVAL('x', '..'))", "'x' is not a timestamp"),
        ("T_AFTER(t, INTERVAL(1, '..'))", "An INTERVAL end is a date or timestamp string"),
        ("v = 1e999", "Number out of range at position 5."),
        ("AND = 1", "Expected a value but found 'AND' at position 1."),
        ("x = LIKE('a')", "Expected a value but found 'LIKE' at position 5."),
    ],
)
def test_syntax_errors_name_the_position(text: str, message: str) -> None:
    with pytest.raises(Cql2Error) as raised:
        parse_cql2_text(text)
    assert message in str(raised.value)


def test_deep_nesting_is_refused() -> None:
    with pytest.raises(Cql2Error, match="nested too deeply"):
        parse_cql2_text("(" * 500 + "a = 1" + ")" * 500)
    with pytest.raises(Cql2Error, match="nested too deeply"):
        parse_cql2_text("NOT " * 500 + "a = 1")
    with pytest.raises(Cql2Error, match="nested too deeply"):
        parse_cql2_text("a = " + "2 ^ " * 500 + "2")
    document: Any = {"op": "=", "args": [{"property": "a"}, 1]}
    for _ in range(500):
        document = {"op": "not", "args": [document]}
    with pytest.raises(Cql2Error, match="nested too deeply"):
        parse_cql2_json(document)
    with pytest.raises(Cql2Error, match="nested too deeply"):
        parse_cql2_json("[" * 100_000 + "]" * 100_000)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("{", "The cql2-json filter is not valid JSON"),
        ('{"op": "=", "args": [{"property": "a"}, NaN]}', "NaN is not a JSON number"),
        ('{"op": "=", "args": [{"property": "a"}, 1e400]}', "$.args[1]: numbers must be finite"),
        (None, "Invalid cql2-json at $: null is not a CQL2 expression."),
        (5, "Invalid cql2-json at $: expected a condition (a predicate or true/false)."),
        ({"op": "=", "args": [1]}, "Invalid cql2-json at $.args: expected 2 arguments."),
        ({"op": "=", "args": {"a": 1}}, "at $.args: expected an array of arguments."),
        ({"op": "=", "args": [{"property": "a"}, 1], "x": 1}, "at $: unexpected member 'x'."),
        ({"op": 5, "args": []}, "at $.op: expected an operator name."),
        ({"op": "and", "args": [True]}, "at $.args: 'and' combines at least 2 conditions."),
        ({"op": "and", "args": [1, True]}, "at $.args[0]: expected a condition"),
        ({"op": "not", "args": [True, True]}, "at $.args: expected 1 argument."),
        ({"op": "between", "args": [1, 2]}, "at $.args: expected 3 arguments."),
        ({"op": "<", "args": [{"op": "=", "args": [1, 1]}, 1]}, "at $.args[0]: expected a value"),
        (
            {"op": "like", "args": [{"property": "a"}, {"property": "b"}]},
            "at $.args[1]: a LIKE pattern is a string, possibly in casei/accenti.",
        ),
        ({"op": "in", "args": [{"property": "a"}, "x"]}, "at $.args[1]: 'in' takes a non-empty"),
        ({"op": "in", "args": [{"property": "a"}, []]}, "'in' takes a non-empty array"),
        ({"foo": 1}, "at $: expected an object with op, property, timestamp, date, interval, bbox"),
    ],
)
def test_json_errors_name_the_place(document: Any, message: str) -> None:
    with pytest.raises(Cql2Error) as raised:
        parse_cql2_json(document)
    assert message in str(raised.value)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"op": "casei", "args": []}, "at $.args[1].args: expected 1 argument."),
        ({"property": 5}, "at $.args[1].property: expected a string."),
        ({"property": ""}, "at $.args[1].property: the property name is empty."),
        ({"timestamp": "2020-01-01"}, "at $.args[1].timestamp: '2020-01-01' is not a timestamp"),
        ({"date": "2020-13-01"}, "at $.args[1].date: '2020-13-01' is not a valid date"),
        ({"interval": ["2020-01-01"]}, "at $.args[1].interval: expected an array of a start"),
        ({"interval": [1, ".."]}, "at $.args[1].interval[0]: an interval end is a date or"),
        ({"interval": ["x", ".."]}, "at $.args[1].interval[0]: 'x' is not a timestamp"),
        ({"bbox": [1, 2, 3]}, "at $.args[1].bbox: expected an array of 4 or 6 numbers."),
        ({"bbox": [1, 2, 3, True]}, "at $.args[1].bbox: expected an array of 4 or 6 numbers."),
        ({"type": "Point", "coordinates": [1]}, "at $.args[1].coordinates: expected a position"),
        ({"type": "Polygon", "coordinates": [[1, 2]]}, "at $.args[1].coordinates[0][0]: expected"),
        ({"type": "LineString", "coordinates": 5}, "at $.args[1].coordinates: expected an array"),
        (
            {"type": "GeometryCollection"},
            "at $.args[1].geometries: expected an array of geometries",
        ),
        ({"type": "GeometryCollection", "geometries": [5]}, "at $.args[1].geometries[0]: expected"),
        ({"function": {"args": []}}, "at $.args[1].function.name: expected the function's name."),
        ({"function": "f"}, "at $.args[1].function: expected an object with name and args."),
        ({"function": {"name": "f", "x": 1}}, "at $.args[1].function: unexpected member 'x'."),
    ],
)
def test_json_value_errors_name_the_place(value: Any, message: str) -> None:
    with pytest.raises(Cql2Error) as raised:
        parse_cql2_json({"op": "=", "args": [{"property": "a"}, value]})
    assert message in str(raised.value)


def test_errors_are_value_errors() -> None:
    assert issubclass(Cql2Error, ValueError)
