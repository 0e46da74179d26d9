"""A variant's file: the problem's own text with only the drawn numbers replaced.

Comments, layout and every other number stay as the author wrote them. The places a varied name's value
is written are found from the YAML source's marks: an input or target (in each sample of a batch), a
parameter in params:, in every weight matrix whose names give it that name, and inside an edge string.
The vary: block is replaced by a variant: record of the draw (and the editor-schema line points at the
schema's URL, meta.with_schema_url, since a variant lives in a folder of its own).
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import yaml

from .errors import Origin
from .load.format import EDGE


@dataclass(frozen=True)
class Slot:
    """One place in the file where a varied value is written: characters start to end of the text."""

    name: str
    start: int
    end: int
    edge: tuple[str, str] | None = None  # (from, to) when the value is written inside an edge string
    quoted: bool = False
    sample: int | None = None  # the sample of a batch whose input or target this is


def _spans(text: str) -> tuple[dict, yaml.Node]:
    """Every scalar's (start, end, quoted) by its key path, and the document's node."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    assert root is not None, "only a problem the loader has read is composed here"
    spans: dict = {}
    stack: list = [((), root)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            stack += [((*path, k.value), val) for k, val in node.value]
        elif isinstance(node, yaml.SequenceNode):
            stack += [((*path, i), item) for i, item in enumerate(node.value)]
        else:
            spans[path] = (node.start_mark.index, node.end_mark.index, node.style in ("'", '"'))
    return spans, root


def slots(text: str, doc: dict, names: list[str]) -> dict[str, list[Slot]]:
    """Where each name's value is written, in file order."""
    spans, _ = _spans(text)
    found: dict[str, list[Slot]] = {name: [] for name in names}

    def add(name: str, path: tuple, edge: tuple[str, str] | None = None, sample: int | None = None) -> None:
        start, end, quoted = spans[path]
        found[name].append(Slot(name, start, end, edge, quoted, sample))

    for name in names:
        for key in ("inputs", "targets", "params"):
            if isinstance(doc.get(key), dict) and name in doc[key]:
                add(name, (key, name))
        for k, sample in enumerate(doc.get("samples", [])):
            for key in ("inputs", "targets"):
                if name in sample.get(key, {}):
                    add(name, ("samples", k, key, name), sample=k)
        for path in _matrix_paths(doc, name):
            add(name, path)
        edges = doc.get("edges", {}).get(name)
        for k, edge in enumerate(edges if isinstance(edges, list) else [] if edges is None else [edges]):
            src, dst, value = EDGE.groups(edge)
            if value is not None:
                add(name, ("edges", name, k) if isinstance(edges, list) else ("edges", name), (src, dst))
    for items in found.values():
        items.sort(key=lambda s: s.start)
    return found


def _matrix_paths(doc: dict, name: str) -> list[tuple]:
    """The paths of the weight-matrix entries named name, in every layer."""
    from .load.layers import _weights  # the loader's own naming: explicit matrices and templates alike

    paths = []
    for li, layer in enumerate(doc.get("layers", [])):
        spec = layer["weights"]
        rows = spec["values"]
        by_inputs = spec["orientation"] == "inputs_by_neurons"
        n_in, n_out = (len(rows), len(rows[0])) if by_inputs else (len(rows[0]), len(rows))
        for i, row in enumerate(_weights(spec, Origin("", 0, ""), li + 1, n_in, n_out)):
            for j, (wname, _, _) in enumerate(row):
                if wname == name:
                    paths.append(("layers", li, "weights", "values", *((i, j) if by_inputs else (j, i))))
    return paths


def replaced(text: str, values: list[tuple[Slot, str]], spans: tuple = ()) -> str:
    """The text with each slot's value replaced by the number written as given, and each (start, end, new) span."""
    edits = list(spans)
    for slot, number in values:
        new = number if slot.edge is None else f"{slot.edge[0]} -> {slot.edge[1]} = {number}"
        edits.append((slot.start, slot.end, json.dumps(new, ensure_ascii=False) if slot.edge and slot.quoted else new))
    out = text
    for start, end, new in sorted(edits, reverse=True):
        out = out[:start] + new + out[end:]
    return out


def vary_block(text: str) -> tuple[int, int]:
    """Where the top-level vary: block is, from the start of its line to the end of its last line."""
    _, root = _spans(text)
    for key, value in root.value:
        if key.value == "vary":
            start = text.rfind("\n", 0, key.start_mark.index) + 1
            end = value.end_mark.index
            if not text[end - 1:end] == "\n":  # a flow mapping ends inside its line
                stop = text.find("\n", end)
                end = len(text) if stop < 0 else stop + 1
            removed = text[start:end].splitlines(keepends=True)
            while removed and (not removed[-1].strip() or removed[-1].startswith("#")):
                end -= len(removed.pop())  # comments before the next key belong to it
            return start, end
    return len(text), len(text)


def record(fields: dict, comment: str) -> str:
    """`variant: {…}` under a comment line: what the vary: block is replaced by."""
    return f"# {comment}\nvariant: {{{', '.join(f'{k}: {_scalar(x)}' for k, x in fields.items())}}}\n"


def _scalar(x) -> str:
    """A record's value as YAML: a number as it is, any text double-quoted (it reads back as that string)."""
    return str(x) if isinstance(x, int) else json.dumps(str(x), ensure_ascii=False)
