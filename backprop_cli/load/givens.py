"""What a problem file gives: inputs and targets (one sample or a batch) and parameter values."""
from __future__ import annotations

from ..errors import Origin
from ..limits import MAX_SAMPLES
from . import validate as v
from .imperative import BeyondSchema


def samples(doc, top: Origin) -> tuple[dict, dict, dict]:
    """Inputs and targets, name -> tuple per sample; also target origins per (name, sample)."""
    if "samples" in doc:
        so = v.at(doc, "samples", top)
        if len(doc["samples"]) > MAX_SAMPLES:
            raise BeyondSchema("limit", so, f"{len(doc['samples'])} samples are too many",
                               f"at most {MAX_SAMPLES} samples in one batch")
        entries = [(row, v.at(doc["samples"], k, so)) for k, row in enumerate(doc["samples"])]
    else:
        entries = [(doc, top)]
    inputs: dict = {}
    targets: dict = {}
    t_origins: dict = {}
    for s, (row, ro) in enumerate(entries):
        for key, store in (("inputs", inputs), ("targets", targets)):
            if key not in row:
                if store:
                    raise BeyondSchema("complete", ro.child(key, ro.line), f"sample {s + 1} has no {key}",
                                       f"the same {key} in every sample")
                continue
            ko = v.at(row, key, ro)
            values = _values(row[key])
            if s > 0 and set(values) != set(store):
                raise BeyondSchema("complete", ko, f"sample {s + 1} has {key} {', '.join(values) or 'none'} but "
                                                   f"sample 1 has {', '.join(store) or 'none'}",
                                   f"the same {key[:-1]} names in every sample")
            for name, x in values.items():
                store.setdefault(name, [])
                if x is not None:
                    store[name].append(x)
                    if key == "targets":
                        t_origins[(name, s)] = v.at(row[key], name, ko)
    for name in inputs:
        if name in targets:
            row, ro = entries[0]
            first = row["targets"]
            where = v.at(first, first.index(name) if isinstance(first, list) else name, v.at(row, "targets", ro))
            raise BeyondSchema("distinct", where, f"'{name}' is both an input and a target", "distinct names")
    return ({k: tuple(x) for k, x in inputs.items()}, {k: tuple(x) for k, x in targets.items()}, t_origins)


def params(doc, top: Origin) -> dict:
    """Parameter name -> (value, or None in a symbolic problem; origin)."""
    if "params" not in doc:
        return {}
    po = v.at(doc, "params", top)
    return {k: (x, v.at(doc["params"], k, po)) for k, x in _values(doc["params"]).items()}


def _values(m) -> dict:
    """Name -> number from a checked mapping, or name -> None from a list of names (a symbolic problem)."""
    if isinstance(m, list):
        return dict.fromkeys(m)
    return {k: float(x) for k, x in m.items()}
