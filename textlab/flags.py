"""Command-line flags made from a configuration dataclass: one flag per field (a nested dataclass's fields too), the
field's trailing comment as its help, `Literal` types as choices; and a configuration updated from what was given.

    hidden_size: int = 384  # LSTM units per layer      ->   --hidden-size N   LSTM units per layer (default: 384)

A field may name its flag (`field(metadata={"flag": "layers"})`); a field called `task` is never a flag (the command
chooses it).
"""

from __future__ import annotations

import argparse
import dataclasses
import inspect
import io
import tokenize
import types
import typing
from functools import cache
from pathlib import Path
from typing import Any


def add_config_flags(parser: argparse.ArgumentParser, config: Any) -> None:
    """A flag for every field of the dataclass instance `config`, its value there shown as the default."""
    for field, owner, value in _fields(config):
        kind, choices, many = _kind(typing.get_type_hints(type(owner))[field.name])
        help_text = _comments(type(owner)).get(field.name, "")
        shown = ", ".join(map(str, value)) if isinstance(value, tuple) else value
        default = "" if value is None else f" (default: {shown})"
        options: dict[str, Any] = {"dest": field.name, "default": None, "help": help_text + default}
        if kind is bool:
            options["action"] = argparse.BooleanOptionalAction
        else:
            options.update(type=kind, choices=choices, nargs="+" if many else None)
            if not choices:
                options["metavar"] = flag_name(field).upper().replace("-", "_")
        parser.add_argument(f"--{flag_name(field)}", **options)


def apply_flags(config: Any, args: argparse.Namespace) -> Any:
    """`config` with every field whose flag was given replaced by the flag's value (nested dataclasses too)."""
    changes = {}
    for field in dataclasses.fields(config):
        value = getattr(config, field.name)
        if dataclasses.is_dataclass(value):
            changes[field.name] = apply_flags(value, args)
        elif field.name != "task" and getattr(args, field.name, None) is not None:
            given = getattr(args, field.name)
            changes[field.name] = tuple(given) if isinstance(given, list) else given
    return dataclasses.replace(config, **changes)


def add_options(parser: argparse.ArgumentParser, options: type) -> None:
    """Flags for an options dataclass (such as `eval`'s): a field without a default is a required flag."""
    hints = typing.get_type_hints(options)
    for field in dataclasses.fields(options):
        kind, choices, many = _kind(hints[field.name])
        required = field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
        help_text = _comments(options).get(field.name, "")
        if not required:
            help_text += f" (default: {field.default})"
        if kind is bool:
            parser.add_argument(
                f"--{flag_name(field)}", dest=field.name, action=argparse.BooleanOptionalAction, help=help_text
            )
            continue
        parser.add_argument(
            f"--{flag_name(field)}",
            dest=field.name,
            type=kind,
            choices=choices,
            nargs="+" if many else None,
            required=required,
            help=help_text,
        )


def options_from(options: type, args: argparse.Namespace) -> Any:
    """The options dataclass filled from parsed flags (a flag not given keeps the field's default)."""
    given = {f.name: getattr(args, f.name) for f in dataclasses.fields(options) if getattr(args, f.name) is not None}
    return options(**given)


def flag_name(field: dataclasses.Field) -> str:
    return field.metadata.get("flag", field.name.replace("_", "-"))


def _fields(config: Any):
    """(field, the dataclass instance holding it, its value) for every flag-worthy field, nested ones included."""
    for field in dataclasses.fields(config):
        value = getattr(config, field.name)
        if dataclasses.is_dataclass(value):
            yield from _fields(value)
        elif field.name != "task":
            yield field, config, value


def _kind(hint: Any) -> tuple[type, tuple | None, bool]:
    """(the flag's type, its choices, whether it takes several values) for a field's type hint."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return _kind(next(a for a in args if a is not type(None)))
    if origin is typing.Literal:
        return type(args[0]), args, False
    if origin is tuple:
        return args[0], None, True
    if hint is Path:
        return Path, None, False
    return hint, None, False


@cache
def _comments(cls: type) -> dict[str, str]:
    """Each field's trailing `# comment` in the class's source, ready for argparse (which formats `%`)."""
    comments, name = {}, None
    for token in tokenize.generate_tokens(io.StringIO(inspect.getsource(cls)).readline):
        if token.type == tokenize.NAME and token.start[1] == 4 and name is None:
            name = token.string  # the first name on an indented line: a field (or a method, which has no comment)
        elif token.type == tokenize.COMMENT and name:
            comments[name] = token.string.lstrip("# ").strip().replace("%", "%%")
        if token.type in (tokenize.NEWLINE, tokenize.NL):
            name = None
    return comments
