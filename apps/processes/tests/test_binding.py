import shlex
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.processes.binding import (
    BindingError,
    argument_vector,
    binding_problems,
    command_line,
)
from apps.processes.tests.package_examples import binding, dsi_package, ndvi_package

PROPERTIES = settings(max_examples=100, deadline=None, database=None)


def _binding(**parameters: Any) -> dict[str, Any]:
    """An input description whose inputBinding sets `parameters`."""
    return {"schema": {"type": "string"}, "additionalParameters": binding(*parameters.items())}


def _inputs(package: dict[str, Any]) -> dict[str, Any]:
    """The inputs of a package as posted (§17.2.3), by id."""
    return {each["id"]: each for each in package["processDescription"]["inputs"]}


NDVI_INPUTS = _inputs(ndvi_package())
DSI_INPUTS = _inputs(dsi_package())


def test_ndvi_package_binds_prefix_equals_value(tmp_path: Path) -> None:
    # given
    image = tmp_path / "inputs" / "S2A_MSIL1C.SAFE"

    # when
    argv = argument_vector(
        NDVI_INPUTS,
        {"source": image, "red_source_band": 4, "nir_source_band": 8, "cloud_coverage": 20},
        workdir=tmp_path,
    )

    # then
    assert argv == [
        "cc=20",
        "nir_factor=1.0",
        "nir_band=8",
        "red_factor=1.0",
        "red_band=4",
        f"sourceImage={image}",
    ]


def test_dsi_package_passes_products_in_a_parameter_file(tmp_path: Path) -> None:
    # given
    products = [tmp_path / "inputs" / "RS2_1.zip", tmp_path / "inputs" / "S1A_2.zip"]
    inputs = {
        "first": _binding(position=0),
        **DSI_INPUTS,
        "last": _binding(position=2),
    }

    # when
    argv = argument_vector(
        inputs, {"first": "a", "productRef": products, "last": "z"}, workdir=tmp_path
    )

    # then
    parameter_file = tmp_path / "parameters" / "productRef.txt"
    assert argv == ["a", str(parameter_file), "z"]
    assert parameter_file.read_text() == f"{products[0]}\n{products[1]}\n"


def test_parameter_file_holds_absolute_paths_and_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    monkeypatch.chdir(tmp_path)
    inputs = {"mixed": _binding(valueForm="parameterFile", prefix="--values")}

    # when
    argv = argument_vector(
        inputs, {"mixed": [Path("relative.tif"), {"a": 1}, 2.5, True]}, workdir=Path("work")
    )

    # then
    parameter_file = tmp_path / "work" / "parameters" / "mixed.txt"
    assert argv == ["--values", str(parameter_file)]
    assert parameter_file.read_text() == f'{tmp_path / "relative.tif"}\n{{"a":1}}\n2.5\ntrue\n'


def test_parameter_file_names_cannot_leave_the_folder(tmp_path: Path) -> None:
    # given
    inputs = {"../escape": _binding(valueForm="parameterFile")}

    # when
    [path] = argument_vector(inputs, {"../escape": "x"}, workdir=tmp_path)

    # then
    assert Path(path).parent == tmp_path / "parameters"
    assert Path(path).name.startswith(".._escape-")


def test_parameter_file_refuses_values_with_line_breaks(tmp_path: Path) -> None:
    inputs = {"notes": _binding(valueForm="parameterFile")}

    with pytest.raises(BindingError, match="line break"):
        argument_vector(inputs, {"notes": ["one\ntwo"]}, workdir=tmp_path)


def test_positions_sort_and_ties_go_by_input_id(tmp_path: Path) -> None:
    # given
    inputs = {
        "output": _binding(position=3, prefix="-o"),
        "verbose": _binding(position=-1, prefix="-v"),
        "second": _binding(position=1),
        "first": _binding(position=1),
        "unplaced": _binding(),
    }
    values = {"output": "out.tif", "verbose": True, "first": "a", "second": "b", "unplaced": "u"}

    # when
    argv = argument_vector(inputs, values, workdir=tmp_path)

    # then
    assert argv == ["-v", "u", "a", "b", "-o", "out.tif"]


@pytest.mark.parametrize(
    ("parameters", "expected"),
    [
        ({"prefix": "--band"}, ["--band", "B02", "--band", "B03", "--band", "B04"]),
        (
            {"prefix": "--band", "argumentSeparator": "="},
            ["--band=B02", "--band=B03", "--band=B04"],
        ),
        ({"prefix": "--bands", "separate": False}, ["--bands", "B02,B03,B04"]),
        (
            {"prefix": "--bands", "separate": False, "itemSeparator": ";"},
            ["--bands", "B02;B03;B04"],
        ),
        (
            {"prefix": "bands", "argumentSeparator": "=", "separate": False, "itemSeparator": " "},
            ["bands=B02 B03 B04"],
        ),
        ({}, ["B02", "B03", "B04"]),
        ({"separate": False}, ["B02,B03,B04"]),
    ],
)
def test_lists_repeat_or_join(tmp_path: Path, parameters: dict, expected: list[str]) -> None:
    inputs = {"bands": _binding(**parameters)}

    assert argument_vector(inputs, {"bands": ["B02", "B03", "B04"]}, workdir=tmp_path) == expected


def test_empty_list_puts_nothing(tmp_path: Path) -> None:
    inputs = {"bands": _binding(prefix="--band")}

    assert argument_vector(inputs, {"bands": []}, workdir=tmp_path) == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, ["--overwrite"]), (False, []), ("true", ["--overwrite", "true"])],
)
def test_booleans_are_flags(tmp_path: Path, value: object, expected: list[str]) -> None:
    inputs = {"overwrite": _binding(prefix="--overwrite")}

    assert argument_vector(inputs, {"overwrite": value}, workdir=tmp_path) == expected


def test_boolean_without_prefix_puts_nothing(tmp_path: Path) -> None:
    assert argument_vector({"flag": _binding()}, {"flag": True}, workdir=tmp_path) == []


def test_json_objects_are_compact(tmp_path: Path) -> None:
    inputs = {"options": _binding(prefix="--options")}

    argv = argument_vector(inputs, {"options": {"bbox": [1, 2], "name": "é"}}, workdir=tmp_path)

    assert argv == ["--options", '{"bbox":[1,2],"name":"é"}']


def test_staged_files_and_folders_are_absolute_local_paths(tmp_path: Path) -> None:
    # given
    inputs = {
        "image": _binding(loadContents=True, prefix="--image"),
        "scenes": _binding(loadListing=True, prefix="--scenes"),
    }
    values = {"image": tmp_path / "a.tif", "scenes": tmp_path / "scenes"}

    # when
    argv = argument_vector(inputs, values, workdir=tmp_path)

    # then
    assert argv == ["--image", str(tmp_path / "a.tif"), "--scenes", str(tmp_path / "scenes")]


def test_staged_file_must_be_a_path(tmp_path: Path) -> None:
    inputs = {"image": _binding(loadContents=True)}

    with pytest.raises(BindingError, match="input 'image' needs a staged file"):
        argument_vector(inputs, {"image": {"href": "https://example.org/a.tif"}}, workdir=tmp_path)


def test_shell_quote_decides_quoting_in_the_command_line(tmp_path: Path) -> None:
    # given
    inputs = {
        "title": _binding(position=1, prefix="--title"),
        "expression": _binding(position=2, shellQuote=False),
    }
    values = {"title": "Lake Geneva's shore", "expression": "$HOME/*.tif"}

    # when
    line = command_line(inputs, values, workdir=tmp_path)
    argv = argument_vector(inputs, values, workdir=tmp_path)

    # then
    assert line == "--title 'Lake Geneva'\"'\"'s shore' $HOME/*.tif"
    assert argv == ["--title", "Lake Geneva's shore", "$HOME/*.tif"]


def test_values_and_strings_for_numbers_and_booleans_are_accepted(tmp_path: Path) -> None:
    # given
    inputs: dict[str, dict[str, Any]] = {
        "late": {
            "additionalParameters": [
                {
                    "role": "inputBinding",
                    "parameters": [
                        {"name": "position", "values": ["2"]},
                        {"name": "prefix", "values": "--late"},
                        {"name": "separate", "values": ["false"]},
                        {"name": "shellQuote", "value": "FALSE"},
                    ],
                }
            ]
        },
        "early": {
            "additionalParameters": {
                "role": "inputBinding",
                "parameters": [{"name": "position", "value": 1.0}],
            }
        },
    }

    # when
    line = command_line(inputs, {"late": ["a b", "c"], "early": "x"}, workdir=tmp_path)

    # then
    assert binding_problems(inputs) == []
    assert line == "x --late a b,c"


def test_defaults_stand_in_for_absent_inputs(tmp_path: Path) -> None:
    # given
    inputs = {
        "resolution": {**_binding(prefix="-r"), "schema": {"type": "integer", "default": 10}},
        "format": {**_binding(prefix="-f"), "schema": {"type": "string"}},
    }

    # when / then
    assert argument_vector(inputs, {}, workdir=tmp_path) == ["-r", "10"]
    assert argument_vector(inputs, {"resolution": 20}, workdir=tmp_path) == ["-r", "20"]


def test_inputs_without_input_binding_stay_off_the_command_line(tmp_path: Path) -> None:
    # given
    inputs: dict[str, dict[str, Any]] = {
        "hinted": {
            "additionalParameters": [
                {"role": "clientHints", "parameters": [{"name": "htmlInputType", "value": ["x"]}]}
            ]
        },
        "plain": {"schema": {"type": "string"}},
        "bound": _binding(),
    }

    # when
    argv = argument_vector(inputs, {"hinted": "h", "plain": "p", "bound": "b"}, workdir=tmp_path)

    # then
    assert argv == ["b"]


def test_empty_input_binding_is_positional(tmp_path: Path) -> None:
    inputs = {"only": {"additionalParameters": [{"role": "inputBinding", "parameters": []}]}}

    assert argument_vector(inputs, {"only": 3}, workdir=tmp_path) == ["3"]


def test_binding_problems_name_each_input() -> None:
    # given
    inputs = {
        "cc": _binding(position="x"),
        "flag": _binding(separate="maybe", shellQuote=1),
        "odd": _binding(colour="red", prefix=5),
        "form": _binding(valueForm="file"),
        "both": _binding(loadContents=True, loadListing="true"),
        "twice": {
            "additionalParameters": [
                {
                    "role": "inputBinding",
                    "parameters": [
                        {"name": "position", "value": [1, 2]},
                        {"name": "prefix", "value": ["-a"]},
                        {"name": "prefix", "value": ["-b"]},
                        "itemSeparator",
                    ],
                }
            ]
        },
        "broken": {"additionalParameters": "inputBinding"},
        "fine": _binding(position="3", separate="false", prefix="--fine"),
    }

    # when
    problems = binding_problems(inputs)

    # then
    assert problems == [
        "input 'cc': inputBinding 'position' must be an integer, not 'x'",
        "input 'flag': inputBinding 'separate' must be a boolean, not 'maybe'",
        "input 'flag': inputBinding 'shellQuote' must be a boolean, not 1",
        "input 'odd': unknown inputBinding parameter 'colour'",
        "input 'odd': inputBinding 'prefix' must be a string, not 5",
        "input 'form': inputBinding 'valueForm' must be 'value' or 'parameterFile', not 'file'",
        "input 'both': inputBinding 'loadContents' and 'loadListing' exclude each other",
        "input 'twice': inputBinding 'position' must be an integer, not [1, 2]",
        "input 'twice': inputBinding 'prefix' is given more than once",
        "input 'twice': inputBinding parameters must be objects with a name, not 'itemSeparator'",
        "input 'broken': additionalParameters must be a list of role and parameters objects",
    ]


def test_problems_stop_the_binding(tmp_path: Path) -> None:
    inputs = {"cc": _binding(position="x")}

    with pytest.raises(BindingError, match="input 'cc': inputBinding 'position'"):
        argument_vector(inputs, {"cc": 3}, workdir=tmp_path)

    assert not (tmp_path / "parameters").exists()


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("binding")


SAFE_TEXT = st.text(st.characters(codec="utf-8", exclude_characters=",\x00"), max_size=12)
ANY_TEXT = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12)
PREFIXES = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=8)


@PROPERTIES
@given(items=st.lists(SAFE_TEXT, min_size=1, max_size=6))
def test_joined_list_splits_back_into_its_items(workdir: Path, items: list[str]) -> None:
    inputs = {"items": _binding(prefix="--items", separate=False)}

    argv = argument_vector(inputs, {"items": items}, workdir=workdir)

    assert argv[0] == "--items"
    assert argv[1].split(",") == items
    assert len(argv) == 2


@PROPERTIES
@given(items=st.lists(ANY_TEXT, max_size=6), prefix=PREFIXES)
def test_separate_list_repeats_the_prefix_before_each_item(
    workdir: Path, items: list[str], prefix: str
) -> None:
    inputs = {"items": _binding(prefix=prefix)}

    argv = argument_vector(inputs, {"items": items}, workdir=workdir)

    assert argv == [word for item in items for word in (prefix, item)]


@st.composite
def bound_inputs(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    """Inputs with random bindings (all shell-quoted) and text values."""
    count = draw(st.integers(min_value=0, max_value=6))
    inputs: dict[str, Any] = {}
    values: dict[str, Any] = {}
    for index in range(count):
        parameters: dict[str, Any] = {"position": draw(st.integers(-3, 3))}
        if draw(st.booleans()):
            parameters["prefix"] = draw(PREFIXES)
            if draw(st.booleans()):
                parameters["argumentSeparator"] = draw(st.sampled_from(["=", ":", " ", ""]))
        if draw(st.booleans()):
            parameters["separate"] = draw(st.booleans())
            parameters["itemSeparator"] = draw(st.sampled_from([",", ";", " ", "'"]))
        inputs[f"input{index}"] = _binding(**parameters)
        values[f"input{index}"] = draw(ANY_TEXT | st.lists(ANY_TEXT, max_size=3) | st.integers())
    return inputs, values


@PROPERTIES
@given(package=bound_inputs())
def test_shell_splits_the_command_line_into_the_argument_vector(
    workdir: Path, package: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    inputs, values = package

    line = command_line(inputs, values, workdir=workdir)

    assert shlex.split(line) == argument_vector(inputs, values, workdir=workdir)


@PROPERTIES
@given(
    positions=st.lists(st.integers(-5, 5), max_size=8),
    unbound=st.sets(st.integers(0, 7)),
    absent=st.sets(st.integers(0, 7)),
)
def test_every_value_appears_once_sorted_by_position(
    workdir: Path, positions: list[int], unbound: set[int], absent: set[int]
) -> None:
    # given
    inputs = {
        f"input{index}": {"schema": {}} if index in unbound else _binding(position=position)
        for index, position in enumerate(positions)
    }
    values = {f"input{index}": f"value{index}" for index in range(len(positions))}
    for index in absent:
        values.pop(f"input{index}", None)

    # when
    argv = argument_vector(inputs, values, workdir=workdir)

    # then
    bound = [
        (position, index)
        for index, position in enumerate(positions)
        if index not in unbound and index not in absent
    ]
    assert argv == [f"value{index}" for _, index in sorted(bound)]
