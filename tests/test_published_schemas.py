"""Tools registered the quick way (server/published.py) publish exactly what the SDK's route publishes."""

from __future__ import annotations

import inspect
import typing
from datetime import datetime
from typing import Annotated, Literal

import pytest
from mcp.server.mcpserver.utilities.func_metadata import StrictJsonSchema, _inline_root_ref
from pydantic import BaseModel, Field, TypeAdapter

from agent_runs_mcp.config import Settings
from agent_runs_mcp.domain import Status
from agent_runs_mcp.server import app, published
from agent_runs_mcp.server.schema import compact_input_schema, compact_output_schema

TOOLS = [fn for tools in app.TOOLSETS.values() for _title, fn in tools]


def sdk_output_schema(model: type[BaseModel]) -> dict[str, typing.Any] | None:
    """What `tools/list` published when the SDK derived the schema (FuncMetadata's route), compacted."""
    return compact_output_schema(_inline_root_ref(TypeAdapter(model).json_schema(schema_generator=StrictJsonSchema)))


@pytest.mark.parametrize("fn", TOOLS, ids=lambda fn: fn.__name__)
def test_each_result_model_is_published_as_the_sdk_route_publishes_it(fn: typing.Any) -> None:
    model = typing.get_args(typing.get_type_hints(fn, include_extras=True)["return"])[1]
    quick = published.output_schema(model)
    assert quick is not None, "a tool's result model fell back to the slow route: teach server/published.py"
    assert quick == sdk_output_schema(model)
    assert compact_output_schema(quick) == quick  # tools/list compacts every schema again: nothing changes


@pytest.mark.anyio
async def test_the_listing_equals_the_sdk_registration() -> None:
    server = app.build_server(Settings())
    reference = app.AgentRunsServer(server.registry, name="reference")
    for tools in app.TOOLSETS.values():
        for title, fn in tools:
            description = " ".join(inspect.cleandoc(fn.__doc__ or "").split())
            reference.add_tool(fn, title=title, description=description, annotations=app.READ_ONLY,
                               meta=app.TOOL_META.get(fn.__name__))  # fmt: skip
    ours, theirs = await server.list_tools(), await reference.list_tools()
    assert [t.model_dump(by_alias=True) for t in ours] == [t.model_dump(by_alias=True) for t in theirs]
    for tool in server._tool_manager.list_tools():
        # Registered with the compact input schema read from the argument model's fields: what pydantic's
        # whole schema compacts to (tools/list compacts it again: nothing changes).
        full = tool.fn_metadata.arg_model.model_json_schema(by_alias=True)
        assert tool.parameters == compact_input_schema(full) == compact_input_schema(tool.parameters)
        assert tool.is_async and tool.context_kwarg == "ctx" and tool.fn_metadata.output_model is not None


class Row(BaseModel):
    name: str
    when: datetime | None = None
    hidden: str | None = Field(default=None, json_schema_extra={"x-detail": "full"})


class Shapes(BaseModel):
    rows: list[Row] = []
    tags: list[str] | None = None
    status: Status | None = None
    level: Literal["low", "high"] = "low"
    only: Literal["one"] = "one"
    either: int | str | None = None
    counts: dict[str, int] = {}
    anything: typing.Any = None
    grid: list[list[typing.Any]] = []
    bounded: Annotated[int, Field(ge=0)] = 0
    pairs: tuple[str, ...] = ()


def test_the_shapes_results_use_come_out_as_pydantic_and_the_compactor_make_them() -> None:
    assert published.output_schema(Shapes) == sdk_output_schema(Shapes)


class Aliased(BaseModel):
    value: int = Field(default=0, alias="Value")


class Fixed(BaseModel):
    pair: tuple[int, str] = (0, "")


class Mixed(BaseModel):
    choice: Literal["a", 1] = "a"


@pytest.mark.parametrize("model", [Aliased, Fixed, Mixed])
def test_what_it_does_not_derive_falls_back_to_the_sdk(model: type[BaseModel]) -> None:
    assert published.output_schema(model) is None


def test_quick_defaults_write_what_pydantic_writes() -> None:
    class Defaults(BaseModel):
        a: str = "x"
        b: int = 3
        c: float = 0.5
        d: bool = True
        e: str | None = None
        f: float = float("inf")
        g: list[int] = [1]
        h: Status = Status.FAILED

    assert Defaults.model_json_schema(schema_generator=published.QuickDefaults) == Defaults.model_json_schema()


class Arguments(BaseModel):
    text: Annotated[str | None, Field(description="Words.", max_length=40, min_length=1)] = None
    count: Annotated[int, Field(ge=1, le=50, strict=True)] = 10
    ratio: Annotated[float, Field(gt=0, lt=1)] = 0.5
    mode: Literal["a", "b"] = "a"
    flag: bool = False
    needed: str


@pytest.mark.parametrize("fn", TOOLS, ids=lambda fn: fn.__name__)
def test_each_tool_s_arguments_are_published_as_pydantic_s_schema_compacts(fn: typing.Any) -> None:
    from mcp.server.mcpserver.utilities.func_metadata import func_metadata

    arguments = func_metadata(fn, skip_names=["ctx"], structured_output=False).arg_model
    quick = published.input_schema(arguments)
    assert quick is not None, "a tool's arguments fell back to the slow route: teach server/published.py"
    assert quick == compact_input_schema(arguments.model_json_schema(by_alias=True))


def test_argument_shapes_come_out_as_pydantic_and_the_compactor_make_them() -> None:
    assert published.input_schema(Arguments) == compact_input_schema(Arguments.model_json_schema())


class OneValue(BaseModel):
    only: Literal["one"] = "one"


class AnEnum(BaseModel):
    status: Status | None = None


class Either(BaseModel):
    value: int | str | None = None


class Listed(BaseModel):
    values: list[str] = []


@pytest.mark.parametrize("model", [Aliased, OneValue, AnEnum, Either, Listed])
def test_arguments_it_does_not_derive_fall_back_to_pydantic(model: type[BaseModel]) -> None:
    assert published.input_schema(model) is None
