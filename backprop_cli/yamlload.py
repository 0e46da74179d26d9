"""Safe YAML loading that remembers the line of every key and list item."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from .errors import Origin, ProblemError


class LineDict(dict):
    """A mapping that knows the line of each of its keys."""

    line: int = 0
    key_lines: dict


class LineList(list):
    """A list that knows the line of each of its items."""

    line: int = 0
    item_lines: list


class _Loader(yaml.SafeLoader):
    """SafeLoader with line-aware containers, no aliases, and YAML 1.2-like scalars."""


# YAML 1.1 reads on/off/yes/no as booleans and 1e-3 as a string; neither helps here.
_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:float")]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                              list("tTfF"))
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^(?:[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    list("-+0123456789."))


def _compose_node(self, parent, index):
    if self.check_event(yaml.AliasEvent):
        event = self.peek_event()
        raise ProblemError(Origin(self._bp_file, event.start_mark.line + 1, ""),
                           f"YAML alias '*{event.anchor}' is not supported",
                           "plain values; anchors and aliases are refused so that no file can expand "
                           "without bound")
    return yaml.SafeLoader.compose_node(self, parent, index)


_Loader.compose_node = _compose_node


def _construct_mapping(loader, node):
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float)):
            raise ProblemError(Origin(loader._bp_file, key_node.start_mark.line + 1, ""),
                               "a mapping key must be a plain name", "a name such as w1")
        key = str(key) if not isinstance(key, str) else key
        if key in result:
            raise ProblemError(Origin(loader._bp_file, key_node.start_mark.line + 1, key),
                               "duplicate key", "each key once")
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader, node):
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def _unsupported_tag(loader, tag_suffix, node):
    raise ProblemError(Origin(loader._bp_file, node.start_mark.line + 1, ""),
                       f"YAML tag '{node.tag}' is not allowed",
                       "plain YAML: mappings, lists, numbers and strings")


_Loader.add_multi_constructor("", _unsupported_tag)


def load_yaml_text(text: str, file: str):
    """Parse YAML text safely; every error becomes a ProblemError with a line."""
    loader = _Loader(text)
    loader._bp_file = file
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        what = exc.problem or "invalid YAML"
        raise ProblemError(Origin(file, line, ""), f"YAML syntax error: {what}",
                           "valid YAML") from None
    except yaml.YAMLError as exc:
        raise ProblemError(Origin(file, 0, ""), f"YAML error: {exc}", "valid YAML") from None
    finally:
        loader.dispose()


def load_yaml_file(path: str | Path):
    """Read and parse a YAML file; a missing or unreadable file is a ProblemError."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProblemError(Origin(name, 0, ""), "no such file", "an existing YAML problem file") from None
    except IsADirectoryError:
        raise ProblemError(Origin(name, 0, ""), "is a directory", "a YAML problem file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ProblemError(Origin(name, 0, ""), f"cannot read file: {exc}", "a UTF-8 text file") from None
    return load_yaml_text(text, name), text
