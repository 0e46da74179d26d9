"""Safe YAML loading that remembers the line of every key and list item."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from ..errors import Origin, ProblemError
from ..limits import MAX_FILE_BYTES, MAX_YAML_DEPTH
from ..progress import report
from .yamlsyntax import describe


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

    _bp_file = "<string>"
    _bp_depth = 0  # nesting of the node being composed
    _bp_at: tuple | None = None  # (outer, key, node) of the value being constructed, None at the top
    _bp_size = 0  # characters of the text, for the progress bar
    _bp_nodes = 0  # nodes composed so far
    _bp_report_building = False  # report progress while constructing (a loader that composes in C)


MAX_DEPTH = MAX_YAML_DEPTH  # far deeper input would hit Python's recursion limit


# YAML 1.1 reads on/off/yes/no as booleans, 1e-3 as a string, 010 as 8, 1:30 as 90 and 2020-01-01 as
# a date; none of that helps here, so those resolvers give way to YAML 1.2-like ones.
_YAML11 = ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:float", "tag:yaml.org,2002:int",
           "tag:yaml.org,2002:timestamp")
_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag not in _YAML11]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()
}
_INT = re.compile(r"^[-+]?[0-9]+$")
_Loader.add_implicit_resolver("tag:yaml.org,2002:int", _INT, list("-+0123456789"))
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                              list("tTfF"))
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^(?:[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    list("-+0123456789."))
# Each first character's resolvers, wildcards appended, as BaseResolver.resolve looks them up for every scalar.
_IMPLICIT = {first: tuple(rules + _Loader.yaml_implicit_resolvers.get(None, []))
             for first, rules in _Loader.yaml_implicit_resolvers.items() if first is not None}
_WILDCARD = tuple(_Loader.yaml_implicit_resolvers.get(None, []))


def _resolve(self, kind, value, implicit):
    """BaseResolver.resolve with its lookup made once: it runs for every scalar of a file."""
    if kind is yaml.ScalarNode and implicit[0]:
        for tag, regexp in _IMPLICIT.get(value[:1], _WILDCARD):
            if regexp.match(value):
                return tag
    return yaml.resolver.BaseResolver.resolve(self, kind, value, (False, False))


_Loader.resolve = _resolve  # type: ignore[method-assign]


def _compose_node(self, parent, index):
    event = self.peek_event()
    if isinstance(event, yaml.AliasEvent):
        raise ProblemError(Origin(self._bp_file, event.start_mark.line + 1, ""),
                           f"YAML alias '*{event.anchor}' is not supported",
                           "every value written out; anchors and aliases are refused so that no file "
                           "can expand without bound")
    if self._bp_depth >= MAX_DEPTH:
        raise ProblemError(Origin(self._bp_file, event.start_mark.line + 1, ""),
                           f"lists and mappings nested more than {MAX_DEPTH} deep", "a problem file")
    self._bp_depth += 1
    self._bp_nodes += 1
    if self._bp_nodes % 512 == 0:  # a 2 MB file takes seconds to parse in pure Python
        report(f"reading {self._bp_file}", event.start_mark.index, self._bp_size)
    try:
        return yaml.SafeLoader.compose_node(self, parent, index)
    finally:
        self._bp_depth -= 1


_Loader.compose_node = _compose_node  # type: ignore[method-assign]


def _below(loader, key, node):
    """Construct node as the value at key of the container being built, so errors know its path."""
    outer = loader._bp_at
    loader._bp_at = (outer, key, node)  # an Origin only when an error needs one: files hold 50,000 numbers
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader._bp_at = outer


def _origin(loader) -> Origin:
    """Where the value being constructed sits: its key path, and the line of its node."""
    chain = []
    at = loader._bp_at
    while at is not None:
        at, key, node = at
        chain.append((key, node))
    origin = Origin(loader._bp_file, 0, "")
    for key, node in reversed(chain):
        origin = origin.child(key, node.start_mark.line + 1)
    return origin


def _building(loader, node) -> None:
    """Report progress by the nodes built, where composing took no Python time to report from."""
    before = loader._bp_nodes
    loader._bp_nodes += 1 + len(node.value)
    if loader._bp_nodes // 512 != before // 512:  # as often as composing reports
        report(f"reading {loader._bp_file}", node.start_mark.index, loader._bp_size)


def _construct_mapping(loader, node):
    if loader._bp_report_building:
        _building(loader, node)
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float)) or isinstance(key, bool):
            kind = "a list" if isinstance(key, list) else "a mapping" if isinstance(key, dict) \
                else "null" if key is None else str(key).lower()
            raise ProblemError(Origin(loader._bp_file, line, _origin(loader).path), f"a key that is {kind}",
                               "a plain name such as w1")
        key = str(key) if not isinstance(key, str) else key
        if key in result:
            raise ProblemError(_origin(loader).child(key, line),
                               f"duplicate key '{key}', first given on line {result.key_lines[key]}",
                               "each key once")
        result.key_lines[key] = line
        result[key] = _below(loader, key, value_node)
    return result


def _construct_sequence(loader, node):
    if loader._bp_report_building:
        _building(loader, node)
    result = LineList(_below(loader, k, child) for k, child in enumerate(node.value))
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


def _construct_int(loader, node):
    text = loader.construct_scalar(node)
    if not _INT.match(text):  # only an explicit !!int tag gets here with other text
        raise ProblemError(_origin(loader), f"{text!r} is not a whole number", "digits, such as 3")
    if len(text) > 400:  # int() refuses beyond 4300 digits; anything this long is far out of range
        raise ProblemError(_origin(loader), f"number with {len(text)} digits is too long",
                           "a number of sensible size")
    return int(text)


_DECIMAL = re.compile(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?\Z")


def _construct_float(loader, node):
    text = node.value
    try:  # float() reads a plain decimal exactly as construct_yaml_float does, in a tenth of its time
        value = float(text) if _DECIMAL.match(text) \
            else yaml.SafeLoader.construct_yaml_float(loader, node)
    except (ValueError, IndexError):  # only an explicit !!float tag gets here with other text
        raise ProblemError(_origin(loader), f"{node.value!r} is not a number", "a number such as 0.5") from None
    if value in (float("inf"), float("-inf")) and "inf" not in node.value.lower():
        raise ProblemError(_origin(loader), f"number {node.value} is too large to represent",
                           "a number of sensible size")
    return value


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_Loader.add_constructor("tag:yaml.org,2002:float", _construct_float)


def _unsupported_tag(loader, tag_suffix, node):
    # Refused before anything is built: !!python/object/apply:os.system never runs.
    tag = node.tag.replace("tag:yaml.org,2002:", "!!", 1)
    raise ProblemError(Origin(loader._bp_file, node.start_mark.line + 1, _origin(loader).path),
                       f"YAML tag '{tag}' is not allowed",
                       "plain YAML: mappings, lists, numbers and strings")


_Loader.add_multi_constructor("", _unsupported_tag)
for _tag in ("binary", "timestamp", "set", "omap", "pairs"):  # SafeLoader builds these; a problem has no use
    _Loader.add_constructor(f"tag:yaml.org,2002:{_tag}", lambda loader, node: _unsupported_tag(loader, "", node))


def load_yaml_text(text: str, file: str):
    """Parse YAML text safely; every error becomes a ProblemError with a line."""
    from .yamlfast import NOT_PLAIN, load_with_c  # here, not at the top: yamlfast builds on this module

    doc = load_with_c(text, file)
    return load_with_python(text, file) if doc is NOT_PLAIN else doc


def load_with_python(text: str, file: str):
    """Parse YAML text with PyYAML's pure-Python parser: the one that words every error and refusal."""
    try:
        loader = _Loader(text)  # the reader refuses control characters here, before parsing
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        raise ProblemError(Origin(file, line, ""), f"YAML syntax error: control character "
                           f"U+{exc.character:04X} is not allowed", "printable text") from None
    loader._bp_file = file
    loader._bp_size = len(text)
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        what, expected = describe(exc, line)
        raise ProblemError(Origin(file, line, ""), f"YAML syntax error: {what}", expected) from None
    except yaml.YAMLError as exc:
        raise ProblemError(Origin(file, 0, ""), f"YAML error: {' '.join(str(exc).split())}", "valid YAML") from None
    finally:
        loader.dispose()


def load_yaml_file(path: str | Path):
    """Read and parse a YAML file; a missing, unreadable or too large file is a ProblemError."""
    text = read_text(path)
    return load_yaml_text(text, str(path)), text


def read_text(path: str | Path) -> str:
    """A file's text; a missing or unreadable file, or one beyond MAX_FILE_BYTES, is a ProblemError."""
    name = str(path)
    try:
        size = Path(path).stat().st_size
        if size > MAX_FILE_BYTES:  # before reading it: the size alone says no
            raise _too_large(name, size)
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProblemError(Origin(name, 0, ""), "no such file", "an existing YAML problem file") from None
    except IsADirectoryError:
        raise ProblemError(Origin(name, 0, ""), "is a directory", "a YAML problem file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ProblemError(Origin(name, 0, ""), f"cannot read file: {exc}", "a UTF-8 text file") from None
    if len(text) > MAX_FILE_BYTES:  # a pipe or device has no size until it is read
        raise _too_large(name, len(text))
    return text


def _too_large(name: str, size: int) -> ProblemError:
    return ProblemError(Origin(name, 0, ""), f"file of {size} bytes is too large",
                        f"at most {MAX_FILE_BYTES} bytes ({MAX_FILE_BYTES / 1e6:g} MB)")
