"""YAML loading that remembers where every value came from.

The knowledge base and profiles are written by people; when one is wrong, the message must name
the file and line. PyYAML's C parser builds the node tree quickly; we then construct plain Python
values ourselves and record the line of every mapping key and sequence item by its path.
"""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor

from passage.routes.errors import SourceError

Path_ = tuple[str | int, ...]

try:  # the C loader is ~10x faster; fall back only where libyaml is missing
    _Loader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - libyaml is part of the locked wheel
    _Loader = yaml.SafeLoader


class Located:
    """Parsed YAML data plus a map from value paths to 1-based line numbers."""

    __slots__ = ("data", "file", "lines")

    def __init__(self, data: Any, file: str, lines: dict[Path_, int]) -> None:
        self.data = data
        self.file = file
        self.lines = lines

    def line_of(self, path: Path_) -> int:
        """Line of the value at ``path``, or of its nearest parent that has one."""
        probe = tuple(path)
        while probe:
            line = self.lines.get(probe)
            if line is not None:
                return line
            probe = probe[:-1]
        return self.lines.get((), 1)

    def where(self, path: Path_) -> str:
        """``file:line`` for the value at ``path``."""
        return f"{self.file}:{self.line_of(path)}"


_scalars = SafeConstructor()


def _construct(node: yaml.Node, path: Path_, lines: dict[Path_, int], file: str) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise SourceError(file, key_node.start_mark.line + 1, "mapping keys must be plain values")
            key = _scalar(key_node, file)
            if not isinstance(key, Hashable):  # pragma: no cover - scalars are hashable
                raise SourceError(file, key_node.start_mark.line + 1, "unusable mapping key")
            if key in result:
                raise SourceError(file, key_node.start_mark.line + 1, f"duplicate key '{key}'")
            child: Path_ = (*path, str(key))
            result[key] = _construct(value_node, child, lines, file)
            lines[child] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_construct(item, (*path, index), lines, file) for index, item in enumerate(node.value)]
    return _scalar(node, file)


def _scalar(node: yaml.Node, file: str) -> Any:
    if node.tag == "tag:yaml.org,2002:timestamp":
        # Dates stay text until the schema checks them, so "2023-02-30" gets a clear message
        # instead of a parser traceback.
        return str(node.value)
    try:
        return _scalars.construct_object(node)
    except (ConstructorError, ValueError) as error:
        raise SourceError(file, node.start_mark.line + 1, f"unreadable value: {error}") from None


def load_text(text: str, file: str) -> Located:
    """Parse YAML text; raise :class:`SourceError` (``file:line: message``) on bad syntax."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = error.problem or error.context or "invalid YAML"
        raise SourceError(file, line, f"YAML syntax error: {problem}") from None
    except yaml.YAMLError as error:
        raise SourceError(file, 1, f"YAML syntax error: {error}") from None
    lines: dict[Path_, int] = {}
    if node is None:
        return Located(None, file, {(): 1})
    return Located(_construct(node, (), lines, file), file, lines)


def load_file(path: Path, display: str | None = None) -> Located:
    """Read and parse one YAML (or JSON) file."""
    name = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourceError(name, 0, "file not found") from None
    except UnicodeDecodeError:
        raise SourceError(name, 1, "not UTF-8 text") from None
    except OSError as error:
        raise SourceError(name, 0, f"cannot read: {error.strerror}") from None
    return load_text(text, name)
