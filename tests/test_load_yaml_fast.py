"""libyaml's C parser and the pure-Python loader read every text alike: same values, types and lines.

load_yaml_text tries load_with_c (yamlfast) and falls back to load_with_python (yamlreader) on any
text the C path cannot vouch for. Both paths must give equal documents on every YAML text the tests
hold, on random mutations of the problem files, and on random documents in every YAML style; where
the C path steps aside (aliases, deep nesting, any error), the answer is the pure-Python loader's.
"""
from __future__ import annotations

import random
import string

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_fuzz import mutate
from test_load_agreement import DOCUMENTS

from backprop_cli.errors import ProblemError
from backprop_cli.load import yamlfast
from backprop_cli.load.yamlfast import NOT_PLAIN, load_with_c, plain_tree
from backprop_cli.load.yamlreader import MAX_DEPTH, LineDict, LineList, load_with_python, load_yaml_text
from backprop_cli.progress import watched

from problem_files import ROOT

FILE = "doc.yaml"


def layers_text(widths: list[int], seed: int = 0, batch: int = 1) -> str:
    """A layer-form sigmoid network of the given widths with random weights, written as a teacher would."""
    rng = random.Random(seed)

    def num() -> str:
        return repr(rng.uniform(-1, 1))

    xs, ys = [f"x{i + 1}" for i in range(widths[0])], [f"y{i + 1}" for i in range(widths[-1])]
    lines = [f"title: generated {'-'.join(map(str, widths))} network", "samples:"]
    for _ in range(batch):
        lines.append("  - inputs: {" + ", ".join(f"{x}: {num()}" for x in xs) + "}")
        lines.append("    targets: {" + ", ".join(f"{y}: {rng.choice([0, 1])}" for y in ys) + "}")
    lines += ["params: {" + ", ".join(f"b{k}: {num()}" for k in range(1, len(widths))) + "}", "layers:"]
    for k, (fan_in, width) in enumerate(zip(widths, widths[1:]), 1):
        last = k == len(widths) - 1
        names = [f"o{j + 1}" if last else f"h{k}_{j + 1}" for j in range(width)]
        lines += [f"  - name: {'output' if last else f'hidden{k}'}", f"    neurons: [{', '.join(names)}]",
                  "    activation: sigmoid", "    weights:", "      orientation: inputs_by_neurons", "      values:"]
        lines += ["        - [" + ", ".join(num() for _ in range(width)) + "]" for _ in range(fan_in)]
        lines.append(f"    bias: b{k}")
    lines += ["outputs: {" + ", ".join(f"o{j + 1}: {y}" for j, y in enumerate(ys)) + "}",
              "loss: {type: squared_error, factor: 0.5, reduction: sum}", "training: {learning_rate: 0.5}"]
    return "\n".join(lines) + "\n"


def shape(x) -> tuple:
    """Everything a loaded document says: classes, values (floats bit for bit), key order and every line."""
    if isinstance(x, dict):
        assert isinstance(x, LineDict) and list(x.key_lines) == list(x)
        return ("map", x.line, [(shape(k), x.key_lines[k], shape(v)) for k, v in x.items()])
    if isinstance(x, list):
        assert isinstance(x, LineList) and len(x.item_lines) == len(x)
        return ("seq", x.line, x.item_lines, [shape(v) for v in x])
    if isinstance(x, float):
        return ("float", x.hex())  # -0.0, nan and the last bit of every number
    return (type(x).__name__, x)


def outcome(load, text: str) -> tuple:
    """The document a loader reads, or its error: message, expected, suggestion and where it points."""
    try:
        return ("doc", shape(load(text, FILE)))
    except ProblemError as exc:
        return ("error", str(exc), exc.origin)


def assert_same(text: str) -> bool:
    """load_yaml_text reads text exactly as the pure-Python loader does; whether the C path read it."""
    fast = load_with_c(text, FILE)
    assert outcome(load_yaml_text, text) == outcome(load_with_python, text)
    if fast is not NOT_PLAIN:
        assert ("doc", shape(fast)) == outcome(load_with_python, text)
    return fast is not NOT_PLAIN


def shipped_texts() -> dict[str, str]:
    """Every problem, answer key and answers file in problems/, and a generated layers file."""
    paths = sorted((ROOT / "problems").glob("**/*.yaml"))
    texts = {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8") for p in paths}
    texts["generated 12-6-3 batch 3"] = layers_text([12, 6, 3], batch=3)
    return texts


SHIPPED = shipped_texts()


@pytest.mark.parametrize("text", SHIPPED.values(), ids=SHIPPED)
def test_every_shipped_file_is_read_alike_and_by_the_c_parser(text: str) -> None:
    assert assert_same(text)


def test_the_shipped_files_include_keys_and_answers() -> None:
    ends = {name.split(".", 1)[1] for name in SHIPPED if "." in name}
    assert {"key.yaml", "answers.yaml", "yaml"} <= ends and len(SHIPPED) >= 30


@pytest.mark.parametrize("text", DOCUMENTS.values(), ids=DOCUMENTS)
def test_every_test_document_is_read_alike(text: str) -> None:
    """The problems of the error and agreement tests, the pinned YAML errors among them."""
    assert_same(text)


def test_most_test_documents_take_the_c_path() -> None:
    """So the agreement above is tested on the C path, not only on the fallback."""
    fast = [assert_same(text) for text in DOCUMENTS.values()]
    assert sum(fast) > 0.8 * len(fast)


def test_mutated_problem_files_are_read_alike() -> None:
    """The fuzz test's text mutations: broken indentation, truncation, snippets with aliases and tags."""
    rng = random.Random(13)
    texts = [t for name, t in SHIPPED.items() if not name.startswith("generated")]
    fast = [assert_same(mutate(rng, rng.choice(texts))) for _ in range(600)]
    assert 0.2 * len(fast) < sum(fast) < len(fast)  # both paths taken, each many times


# ------------------------------------------------------------------------- random documents in every style

CHARS = string.ascii_letters + string.digits + " &*:#-[]{},'\"!|>?%@`~.\t\n\r\\" + "é∂σ\x85\u2028\ufeff"
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(CHARS, max_size=12),
                    st.sampled_from(["w1*x1 + b", "a & b", "*a", "&b", "x**2", "- 1", "1e3", "0x1F", "yes", "~",
                                     "1_000", "010", ".5", "-.inf", "2024-01-01", "1:30", "null", "", " lead"]))
keys = st.one_of(st.text(CHARS, min_size=1, max_size=8), st.integers(-5, 5))
documents = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                          st.dictionaries(keys, inner, max_size=4)),
                         max_leaves=20)
dumps = st.fixed_dictionaries({
    "default_flow_style": st.sampled_from([False, True, None]),
    "default_style": st.sampled_from([None, None, "'", '"', "|", ">"]),
    "width": st.sampled_from([8, 30, 1000]),
    "indent": st.sampled_from([2, 4]),
    "allow_unicode": st.booleans(),
    "explicit_start": st.booleans(),
    "canonical": st.sampled_from([False, False, False, True]),
})


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents, dumps, st.sampled_from(["", "# a comment & * [\n", "\n\n", "%YAML 1.1\n---\n"]),
       st.sampled_from(["", "# the end *\n", "...\n"]))
def test_random_documents_in_every_style_are_read_alike(doc, style, head, tail) -> None:
    text = head + yaml.dump(doc, Dumper=yaml.SafeDumper, **style) + tail
    assert_same(text)


@settings(max_examples=200, deadline=None)
@given(documents, st.integers(0, 2**32))
def test_random_mutations_of_random_documents_are_read_alike(doc, seed) -> None:
    """Text near YAML: any difference in what libyaml accepts shows here."""
    rng = random.Random(seed)
    text = yaml.dump({"title": "t", "doc": doc}, Dumper=yaml.SafeDumper, default_flow_style=rng.choice([False, None]))
    for _ in range(rng.randint(1, 3)):
        k = rng.randrange(len(text) + 1)
        cut = k + rng.randint(0, 2)
        text = text[:k] + rng.choice(["", " ", "\n", "  ", ":", "- ", "[", "]", "{", "}", ",", "'", '"', "#", "\t",
                                      "? ", "!!str ", "!x ", "|", ">", "\\", "\r", "\x85", "|#", "!"]) + text[cut:]
    assert_same(text)


# ------------------------------------------------------------------------------- when the C path steps aside

def test_aliases_anchors_and_their_look_alikes() -> None:
    for text in ("a: &x 1\nb: *x\n", "a: [&x 1, *x]\n", "a: {b: *x}\n", "- &x [1]\n- *x\n", "a: !!str &x b\n"):
        assert load_with_c(text, FILE) is NOT_PLAIN
    for text in ("f: w1*x1 + b\n", "f: (a + b)*c\n", "f: x**2\n", "f: 'a & b'\n", "f: a & b * c\n", "- x.*y\n"):
        assert load_with_c(text, FILE) is not NOT_PLAIN
    assert str(pytest.raises(ProblemError, load_yaml_text, "a: &x 1\nb: *x\n", FILE).value) \
        == f"{FILE}:2: YAML alias '*x' is not supported (expected every value written out; anchors and aliases " \
           "are refused so that no file can expand without bound)"


@given(st.recursive(st.integers(), lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
    st.text(string.ascii_letters, min_size=1, max_size=3), inner, max_size=3), max_leaves=12),
    st.booleans())
def test_every_anchor_pyyaml_writes_is_caught_by_the_scan(doc, flow) -> None:
    shared = [doc, doc] if isinstance(doc, (list, dict)) else [[doc], [doc]]
    shared[1] = shared[0]
    text = yaml.dump({"a": shared, "b": shared[0]}, Dumper=yaml.SafeDumper, default_flow_style=flow)
    assert "&id001" in text
    assert load_with_c(text, FILE) is NOT_PLAIN


def test_the_walk_finds_shared_nodes_the_scan_would_miss() -> None:
    """The scan is a shortcut; the walk of the composed tree is what refuses an alias."""
    for text in ("a: &x 1\nb: *x\n", "a: &x [1]\nb: [*x]\n", "a: &x {c: 1}\nb: *x\n"):
        assert not plain_tree(yaml.compose(text, Loader=yaml.CSafeLoader), MAX_DEPTH)
    assert plain_tree(yaml.compose("a: 1\nb: 1\nc: [1, 1]\n", Loader=yaml.CSafeLoader), MAX_DEPTH)


@pytest.mark.parametrize("style", ["flow", "block"])
def test_nesting_at_and_beyond_the_limit(style: str) -> None:
    def nested(levels: int) -> str:  # a mapping at the top, then lists: a scalar at depth levels
        if style == "flow":
            return "a: " + "[" * (levels - 2) + "1" + "]" * (levels - 2) + "\n"
        return "a:\n" + "".join("  " * k + "-\n" for k in range(1, levels - 2)) + "  " * (levels - 2) + "- 1\n"

    assert load_with_c(nested(MAX_DEPTH), FILE) is not NOT_PLAIN
    assert_same(nested(MAX_DEPTH))
    assert load_with_c(nested(MAX_DEPTH + 1), FILE) is NOT_PLAIN
    assert str(pytest.raises(ProblemError, load_yaml_text, nested(MAX_DEPTH + 1), FILE).value).endswith(
        f"lists and mappings nested more than {MAX_DEPTH} deep (expected a problem file)")
    assert load_with_c("a: " + "[" * 3000 + "]" * 3000, FILE) is NOT_PLAIN  # beyond libyaml's own limit


@given(documents)
def test_each_level_of_nesting_has_its_own_opening_character(doc) -> None:
    """The bound that keeps libyaml's composer, which recurses in C, far from the end of the stack."""
    text = yaml.dump(doc, Dumper=yaml.SafeDumper, default_flow_style=None)

    def depth(node) -> int:
        if isinstance(node, yaml.ScalarNode):
            return 1
        children = [part for pair in node.value for part in pair] if isinstance(node, yaml.MappingNode) \
            else node.value
        return 1 + max(map(depth, children), default=0)

    assert depth(yaml.compose(text, Loader=yaml.CSafeLoader)) <= sum(map(text.count, "[{-?:")) + 1


@pytest.mark.parametrize("text", ["a:\tb\n", "a: [1,\t2]\n", "a: {b: c?d}\n", "a: {b: c? d}\n", "a: 1\n\ufeffb: 2\n",
                                  "x: !\n", "x: [!, 1]\n", "a: |#\n  b\n"])
def test_where_libyaml_reads_otherwise_the_pure_python_loader_reads(text: str) -> None:
    """Each difference fuzzing found (libyaml 0.2.5 accepts these, or reads them otherwise) is left to Python."""
    assert load_with_c(text, FILE) is NOT_PLAIN
    assert_same(text)


def test_questions_in_comments_and_key_indicators_take_the_c_path() -> None:
    for text in ("# what is w1 after the step?\na: 1\n", "? a\n: 1\n", "a: [1, 2]  # ok\n"):
        assert load_with_c(text, FILE) is not NOT_PLAIN
        assert_same(text)


@pytest.mark.parametrize("text", [
    "a: 1\na: 2\n", "a: {b: 1\n", "a: !!python/name:os.system\n", "a: !!int 1.5\n", "x: 1\x00\n", "[a]: 1\n",
    "a: \ud800\n", "--- 1\n--- 2\n", "a: !!float abc\n", "a: 1e999\n", "a: 9" + "9" * 500 + "\n"])
def test_any_error_is_the_pure_python_loaders(text: str) -> None:
    assert load_with_c(text, FILE) is NOT_PLAIN
    assert outcome(load_yaml_text, text)[0] == "error"
    assert_same(text)


def test_without_libyaml_or_its_nesting_limit_the_pure_python_loader_reads(monkeypatch) -> None:
    small, large = SHIPPED["problems/mazur.yaml"], layers_text([60, 40, 3])
    monkeypatch.setattr(yamlfast, "_LOADER", {"class": None})
    assert load_with_c(small, FILE) is NOT_PLAIN
    assert_same(small)
    loader = yamlfast._c_loader()
    monkeypatch.setattr(yamlfast, "_LOADER", {"class": loader, "bounded": False})
    assert load_with_c(small, FILE) is not NOT_PLAIN  # too few brackets and dashes to nest deeply
    assert load_with_c(large, FILE) is NOT_PLAIN
    assert_same(large)


def test_reading_a_large_file_reports_its_progress() -> None:
    text = layers_text([60, 40, 3])
    seen: list = []
    with watched(lambda stage, done, total: seen.append((stage, done, total))):
        load_yaml_text(text, FILE)
    assert len(seen) > 3 and {stage for stage, _, _ in seen} == {f"reading {FILE}"}
    done = [d for _, d, _ in seen]
    assert done == sorted(done) and 0 < done[-1] <= len(text) and {t for _, _, t in seen} == {len(text)}


def test_garbage_collection_is_as_it_was() -> None:
    """The C path pauses the collector while it builds; it leaves it as it found it, error or not."""
    import gc

    for text in ("a: 1\n", "a: [\n", "a: &x 1\n"):
        assert gc.isenabled()
        load_with_c(text, FILE)
        assert gc.isenabled()
    gc.disable()
    try:
        load_with_c("a: 1\n", FILE)
        assert not gc.isenabled()
    finally:
        gc.enable()
