"""Compact JSON Schemas for `tools/list`: the same contract in far fewer tokens.

pydantic's schemas are written for validators, not for a model's context
window: a `title` on every property, `anyOf: [{...}, {type: null}]` for every
optional field, `default: null` everywhere, nested `$defs`. The published copies
keep what a model and a client need and drop the rest:

* input schemas keep argument types, enums, bounds (lengths included), defaults and descriptions,
  and say `additionalProperties: false` (the server refuses unknown arguments); an optional argument
  is published as its plain type (omitting it means "none").
* output schemas name the result's fields and its list items' fields, each with its plain JSON type
  (`{"type": "string"}`: no `{}` a strict client cannot map, no `["string", "null"]` union some dialects
  refuse; results leave a field out rather than send `null`); lists keep their items' fields, enums
  their values; deeper objects are `object`; fields marked for the full detail level are left out
  (they arrive as additional properties). No `required`: the types are worth more to a strict client
  than the 95 tokens of which fields every result carries.

Published schemas are only ever *looser* than the pydantic models that validate
arguments and results, so everything we accept or return still conforms.
"""

from __future__ import annotations

from typing import Any

_DROP_ALWAYS = {"title", "format", "additionalProperties", "examples", "x-detail", "x-published"}


def compact_input_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """Arguments: plain types for optional arguments, no titles, descriptions kept."""
    required = set(schema.get("required", []))
    props = {}
    for name, prop in schema.get("properties", {}).items():
        clean = _strip(prop, keep_descriptions=True)
        if name not in required:
            clean = _plain(clean)
        props[name] = clean
    out: dict[str, Any] = {"type": "object", "properties": props}
    if required:
        out["required"] = sorted(required)
    out["additionalProperties"] = False  # the server refuses unknown arguments: the schema says so
    return out


def compact_output_schema(schema: dict[str, Any] | None) -> dict[str, Any] | None:
    """Results: field names and types of the result and of its list items; deeper objects as `object`."""
    if schema is None:
        return None
    defs = schema.get("$defs", {})
    return _object(schema, defs, depth=0)


def _object(schema: dict[str, Any], defs: dict[str, Any], depth: int) -> dict[str, Any]:
    # Every field gets its plain type; lists (with their items' fields) and enums keep their shape at the top.
    props = {
        name: _field(prop, defs, depth) if depth == 0 and _is_list_or_enum(prop, defs) else _plain_type(prop, defs)
        for name, prop in schema.get("properties", {}).items()
        # full-detail and meta fields are returned as additional properties
        if prop.get("x-detail") != "full" and prop.get("x-published") is not False
    }
    return {"type": "object", "properties": props}


def _plain_type(prop: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """A field's JSON type alone, `null` dropped (a result leaves out a field it has no value for)."""
    shape = _field(prop, defs, depth=1)
    return {"type": shape["type"]} if "type" in shape else shape


def _is_list_or_enum(prop: dict[str, Any], defs: dict[str, Any]) -> bool:
    """Fields whose published shape says something a name does not: lists (their items' fields) and enums."""
    options = [o for o in prop.get("anyOf", [prop]) if o != {"type": "null"}]
    resolved = [_resolve(o, defs) for o in options]
    return any(o.get("type") == "array" or "enum" in o for o in resolved)


def _field(prop: dict[str, Any], defs: dict[str, Any], depth: int) -> dict[str, Any]:
    """A field's published shape, without `null`: results leave out a field that has no value."""
    options = prop.get("anyOf")
    if isinstance(options, list):
        rest = [o for o in options if o != {"type": "null"}]
        if len(rest) > 1:  # a real union: each branch's plain type
            return {"anyOf": [_field(o, defs, depth=1) for o in rest]}
        prop = rest[0] if rest else {"type": "null"}
    prop = _resolve(prop, defs)
    kind = prop.get("type", "object")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "object")
    out: dict[str, Any]
    if kind == "array":
        items = _resolve(prop.get("items", {}), defs)
        if depth == 0 and items.get("type") == "object" and "properties" in items:
            out = {"type": "array", "items": _object(items, defs, depth + 1)}
        else:
            out = {"type": "array", "items": {"type": items.get("type", "object")}}
    else:
        out = {"type": kind}
        if "enum" in prop and depth == 0:
            out["enum"] = prop["enum"]
    return out


def _resolve(prop: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    ref = prop.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return defs.get(ref.split("/")[-1], {"type": "object"})
    if "allOf" in prop and len(prop["allOf"]) == 1:
        return _resolve(prop["allOf"][0], defs)
    return prop


def _strip(schema: Any, *, keep_descriptions: bool) -> Any:
    if isinstance(schema, list):
        return [_strip(s, keep_descriptions=keep_descriptions) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {}
    for key, value in schema.items():
        if key in _DROP_ALWAYS or (key == "description" and not keep_descriptions):
            continue
        if key == "default" and value is None:
            continue
        out[key] = _strip(value, keep_descriptions=keep_descriptions)
    return out


def _plain(prop: dict[str, Any]) -> dict[str, Any]:
    """Drop `null` from an optional argument's type: leaving the argument out is how to say none."""
    options = prop.get("anyOf")
    if isinstance(options, list):
        rest = [o for o in options if o != {"type": "null"}]
        if len(rest) == 1:
            merged = {k: v for k, v in prop.items() if k != "anyOf"}
            merged.update(rest[0])
            return merged
    kind = prop.get("type")
    if isinstance(kind, list) and "null" in kind:
        others = [k for k in kind if k != "null"]
        return {**prop, "type": others[0] if len(others) == 1 else others}
    return prop
