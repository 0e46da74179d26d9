"""Safe YAML loading that remembers the line of every key and list item."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from ..errors import Origin, ProblemError
from ..limits import MAX_FILE_BYTES, MAX_YAML_DEPTH
from ..progress import report


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
    _bp_origin = Origin("<string>", 0, "")  # key path of the value being constructed
    _bp_size = 0  # characters of the text, for the progress bar
    _bp_nodes = 0  # nodes composed so far


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
    outer = loader._bp_origin
    loader._bp_origin = outer.child(key, node.start_mark.line + 1)
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader._bp_origin = outer


def _construct_mapping(loader, node):
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
            raise ProblemError(Origin(loader._bp_file, line, loader._bp_origin.path), f"a key that is {kind}",
                               "a plain name such as w1")
        key = str(key) if not isinstance(key, str) else key
        if key in result:
            raise ProblemError(loader._bp_origin.child(key, line),
                               f"duplicate key '{key}', first given on line {result.key_lines[key]}",
                               "each key once")
        result.key_lines[key] = line
        result[key] = _below(loader, key, value_node)
    return result


def _construct_sequence(loader, node):
    result = LineList(_below(loader, k, child) for k, child in enumerate(node.value))
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


def _construct_int(loader, node):
    text = loader.construct_scalar(node)
    if not _INT.match(text):  # only an explicit !!int tag gets here with other text
        raise ProblemError(loader._bp_origin, f"{text!r} is not a whole number", "digits, such as 3")
    if len(text) > 400:  # int() refuses beyond 4300 digits; anything this long is far out of range
        raise ProblemError(loader._bp_origin, f"number with {len(text)} digits is too long",
                           "a number of sensible size")
    return int(text)


def _construct_float(loader, node):
    try:
        value = yaml.SafeLoader.construct_yaml_float(loader, node)
    except (ValueError, IndexError):  # only an explicit !!float tag gets here with other text
        raise ProblemError(loader._bp_origin, f"{node.value!r} is not a number", "a number such as 0.5") from None
    if value in (float("inf"), float("-inf")) and "inf" not in node.value.lower():
        raise ProblemError(loader._bp_origin, f"number {node.value} is too large to represent",
                           "a number of sensible size")
    return value


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_Loader.add_constructor("tag:yaml.org,2002:float", _construct_float)


def _unsupported_tag(loader, tag_suffix, node):
    # Refused before anything is built: !!python/object/apply:os.system never runs.
    tag = node.tag.replace("tag:yaml.org,2002:", "!!", 1)
    raise ProblemError(Origin(loader._bp_file, node.start_mark.line + 1, loader._bp_origin.path),
                       f"YAML tag '{tag}' is not allowed",
                       "plain YAML: mappings, lists, numbers and strings")


_Loader.add_multi_constructor("", _unsupported_tag)
for _tag in ("binary", "timestamp", "set", "omap", "pairs"):  # SafeLoader builds these; a problem has no use
    _Loader.add_constructor(f"tag:yaml.org,2002:{_tag}", lambda loader, node: _unsupported_tag(loader, "", node))


# PyYAML's words for what it was reading, and what a user most likely missed there.
_CONTEXTS = {"a flow mapping": ("{…} mapping", "a closing '}', with ',' between entries"),
             "a flow sequence": ("[…] list", "a closing ']', with ',' between items"),
             "a quoted scalar": ("quoted string", "a closing quote")}
_PROBLEMS = {"<block end>": "the end of the indented block", "'<block mapping start>'": "a key indented further",
             "'<block sequence start>'": "a list indented further", "'<stream end>'": "the end of the file",
             "unexpected end of stream": "the end of the file"}
_HINTS = (("'\\t'", "spaces for indentation, not tabs"),
          ("mapping values are not allowed here", ("one 'key: value' per line, keys of a mapping indented alike; "
                                                   "quote a value that contains ': '")),
          ("found '}'", "brackets that match"), ("found ']'", "brackets that match"),
          ("<block end>", "the keys of one mapping indented alike"))


def _syntax(exc: yaml.MarkedYAMLError, line: int) -> tuple[str, str]:
    """A one-line description of a YAML syntax error, and what was probably meant."""
    what = " ".join((exc.problem or "invalid YAML").split())
    expected = next((hint for key, hint in _HINTS if key in what), "valid YAML")
    for word, plain in _PROBLEMS.items():
        what = what.replace(word, plain)
    context = (exc.context or "").replace("while parsing ", "").replace("while scanning ", "")
    if context in _CONTEXTS and exc.context_mark is not None:
        noun, expected = _CONTEXTS[context]
        if exc.context_mark.line + 1 != line:
            what += f", in the {noun} that starts on line {exc.context_mark.line + 1}"
    return what, expected


def load_yaml_text(text: str, file: str):
    """Parse YAML text safely; every error becomes a ProblemError with a line."""
    try:
        loader = _Loader(text)  # the reader refuses control characters here, before parsing
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        raise ProblemError(Origin(file, line, ""), f"YAML syntax error: control character "
                           f"U+{exc.character:04X} is not allowed", "printable text") from None
    loader._bp_file = file
    loader._bp_origin = Origin(file, 0, "")
    loader._bp_size = len(text)
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        what, expected = _syntax(exc, line)
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
