"""How a YAML syntax error from PyYAML is put to a user: what went wrong in plain words, and what was meant."""
from __future__ import annotations

import yaml

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


def describe(exc: yaml.MarkedYAMLError, line: int) -> tuple[str, str]:
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
