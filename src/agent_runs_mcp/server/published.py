"""Published schemas built at registration without pydantic's JSON Schema generator (start-up, #21 item 8).

`tools/list` publishes compact schemas (:mod:`.schema`). Deriving them the SDK's way first generates each
result model's full JSON Schema (every nested model, default and title) and then throws most of it away:
about 30 ms of a cold start, for 8 tools. The compact output schema says only the result's fields and their
plain JSON types, its list items' fields and its enums, so :func:`output_schema` reads exactly that from the
model's fields. A field or type it does not know (an alias, a custom schema, a fixed-length tuple...) makes
it answer ``None`` and the caller takes the SDK's route for that model: nothing is ever guessed.
``tests/test_published_schemas.py`` checks that both routes give the same schema for every tool.

Input schemas are read the same way from the argument model's fields (:func:`input_schema`): each argument's
plain type, enum, bounds (lengths, minimum, maximum), default and description, as
:func:`.schema.compact_input_schema` publishes pydantic's schema of it; the argument model still validates
every call. An argument it does not derive makes the whole tool take pydantic's route, with
:class:`QuickDefaults`: a default that is ``None``, a string, a whole number, a finite number or a boolean is
its own JSON (pydantic builds a serializer for each one to say so).
"""

from __future__ import annotations

import datetime
import enum
import math
import types
import typing
from collections.abc import Callable
from typing import Any, Literal, Union

import annotated_types
from mcp.server.mcpserver.utilities.func_metadata import StrictJsonSchema
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic.json_schema import GenerateJsonSchema

_PLAIN = {str: "string", int: "integer", float: "number", bool: "boolean", datetime.datetime: "string"}
_ARRAYS = (list, set, frozenset)


class Unsupported(Exception):
    """A construct this module does not derive: the SDK's generator is used instead."""


class QuickDefaults(GenerateJsonSchema):
    """pydantic's generator, writing plain defaults without building a serializer for each."""

    def encode_default(self, dft: Any) -> Any:
        kind = type(dft)
        if dft is None or kind in (str, int, bool) or (kind is float and math.isfinite(dft)):
            return dft
        return super().encode_default(dft)


class QuickStrictDefaults(StrictJsonSchema, QuickDefaults):
    """The SDK's output-schema generator (warnings are errors) with :class:`QuickDefaults`."""


def output_schema(model: type[BaseModel]) -> dict[str, Any] | None:
    """The compact output schema of ``model`` (as :func:`.schema.compact_output_schema` would publish it),
    or ``None`` when the model uses something this module does not derive."""
    try:
        return _object(model, depth=0)
    except (Unsupported, TypeError, ValueError):  # the SDK's route, which says what is wrong if anything is
        return None


def _object(model: type[BaseModel], depth: int) -> dict[str, Any]:
    if model.model_config.get("json_schema_extra") or "__get_pydantic_json_schema__" in vars(model):
        raise Unsupported(model.__name__)
    props = {}
    for name, info in model.model_fields.items():
        if info.alias or info.validation_alias or callable(info.json_schema_extra):
            raise Unsupported(f"{model.__name__}.{name}")
        extra = info.json_schema_extra or {}
        if extra.get("x-detail") == "full" or extra.get("x-published") is False:
            continue
        annotation = _bare(info.annotation)
        if depth == 0 and _is_list_or_enum(annotation):
            props[name] = _field(annotation, depth=0)
        else:
            shape = _field(annotation, depth=1)
            props[name] = {"type": shape["type"]} if "type" in shape else shape
    return {"type": "object", "properties": props}


def _bare(annotation: Any) -> Any:
    """``Annotated[X, ...]`` as ``X`` when its metadata cannot change the JSON type."""
    if typing.get_origin(annotation) is typing.Annotated:
        base, *metadata = typing.get_args(annotation)
        if any(not type(m).__module__.startswith(("annotated_types", "pydantic.fields")) and not _strict(m)
               for m in metadata):  # fmt: skip
            raise Unsupported(repr(annotation))
        return _bare(base)
    return annotation


def _strict(item: Any) -> bool:
    """pydantic's ``Strict`` (``StrictInt | None``): the validator's, not the schema's."""
    return type(item).__module__.startswith("pydantic.types") and type(item).__name__ == "Strict"


def _options(annotation: Any) -> list[Any]:
    """A union's members without ``None`` (a result leaves such a field out); one type: itself."""
    if typing.get_origin(annotation) in (Union, types.UnionType):
        return [_bare(a) for a in typing.get_args(annotation) if a is not type(None)]
    return [annotation]


def _is_list_or_enum(annotation: Any) -> bool:
    return any(_kind(o) == "array" or _enum(o) is not None for o in _options(annotation))


def _field(annotation: Any, depth: int) -> dict[str, Any]:
    options = _options(annotation)
    if len(options) > 1:
        return {"anyOf": [_field(o, depth=1) for o in options]}
    if not options:
        return {"type": "null"}
    (annotation,) = options
    kind = _kind(annotation)
    if kind == "array":
        item = _bare((typing.get_args(annotation) or (Any,))[0])  # list[X], tuple[X, ...]
        if depth == 0 and isinstance(item, type) and issubclass(item, BaseModel):
            return {"type": "array", "items": _object(item, depth + 1)}
        return {"type": "array", "items": {"type": _kind(item) if len(_options(item)) == 1 else "object"}}
    out: dict[str, Any] = {"type": kind}
    values = _enum(annotation)
    if values is not None and depth == 0:
        out["enum"] = values
    return out


def _kind(annotation: Any) -> str:
    """The JSON type pydantic gives ``annotation`` (``object`` where it gives none, as the compactor reads it)."""
    if annotation is Any or annotation is dict or typing.get_origin(annotation) is dict:
        return "object"
    if annotation in _PLAIN:
        return _PLAIN[annotation]
    if annotation in _ARRAYS or typing.get_origin(annotation) in _ARRAYS:
        return "array"
    if typing.get_origin(annotation) is tuple:
        args = typing.get_args(annotation)
        if len(args) == 2 and args[1] is Ellipsis:
            return "array"
        raise Unsupported(repr(annotation))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "object"
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        if all(isinstance(m.value, str) for m in annotation):
            return "string"
        raise Unsupported(repr(annotation))
    if typing.get_origin(annotation) is Literal:
        if all(type(v) is str for v in typing.get_args(annotation)):
            return "string"
        raise Unsupported(repr(annotation))
    raise Unsupported(repr(annotation))


def _enum(annotation: Any) -> list[Any] | None:
    """The values pydantic lists as ``enum`` (a one-value ``Literal`` is a ``const`` instead)."""
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return [m.value for m in annotation]
    if typing.get_origin(annotation) is Literal:
        values = list(typing.get_args(annotation))
        return values if len(values) > 1 else None
    return None


_BOUNDS: dict[type, tuple[str, Callable[[Any], Any]]] = {
    annotated_types.MaxLen: ("maxLength", lambda m: m.max_length),
    annotated_types.MinLen: ("minLength", lambda m: m.min_length),
    annotated_types.Ge: ("minimum", lambda m: m.ge),
    annotated_types.Le: ("maximum", lambda m: m.le),
    annotated_types.Gt: ("exclusiveMinimum", lambda m: m.gt),
    annotated_types.Lt: ("exclusiveMaximum", lambda m: m.lt),
}


def input_schema(model: type[BaseModel]) -> dict[str, Any] | None:
    """The compact input schema of a tool's argument model (as :func:`.schema.compact_input_schema` would
    publish pydantic's), or ``None`` when an argument uses something this module does not derive."""
    try:
        props = {name: _argument(info) for name, info in model.model_fields.items()}
    except (Unsupported, TypeError, ValueError):
        return None
    required = sorted(name for name, info in model.model_fields.items() if info.is_required())
    out: dict[str, Any] = {"type": "object", "properties": props}
    if required:
        out["required"] = required
    out["additionalProperties"] = False
    return out


def _argument(info: FieldInfo) -> dict[str, Any]:
    if info.alias or info.validation_alias or info.json_schema_extra or info.discriminator:
        raise Unsupported("alias or custom schema")
    options = _options(_bare(info.annotation))
    if len(options) != 1:
        raise Unsupported(repr(info.annotation))
    (annotation,) = options
    kind = _kind(annotation)
    if kind not in ("string", "integer", "number", "boolean"):
        raise Unsupported(repr(annotation))
    out: dict[str, Any] = {"type": kind}
    values = _enum(annotation)
    if values is not None:
        if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
            raise Unsupported(repr(annotation))  # pydantic puts an Enum class in $defs behind a $ref
        out["enum"] = values
    elif typing.get_origin(annotation) is Literal:
        raise Unsupported(repr(annotation))  # one value: pydantic writes `const`
    for item in info.metadata:
        if type(item) in _BOUNDS:
            key, read = _BOUNDS[type(item)]
            out[key] = read(item)
        elif type(item).__module__.startswith(("pydantic.types", "pydantic.fields")) and type(item).__name__ in (
            "Strict",
        ):
            continue  # strictness is the validator's, not the schema's
        else:
            raise Unsupported(repr(item))
    if info.description:
        out["description"] = info.description
    if not info.is_required() and info.default is not None:
        default = info.default
        if type(default) not in (str, int, bool) and not (type(default) is float and math.isfinite(default)):
            raise Unsupported(repr(default))
        out["default"] = default
    return out
