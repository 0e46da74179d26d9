"""The loss curve: drawn in text for the terminal, or written as a mermaid xychart for markdown.

Both take the loss after every step (losses[k] after k steps) and pick the points they draw:
one per column of text, at most MERMAID_POINTS for mermaid, the first and the last always.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

from ..formula.printing import fmt_number

HEIGHT = 10  # rows of the text chart
MAX_COLUMNS = 72
MERMAID_POINTS = 101
DOT = "•"


def picks(steps: int, count: int) -> list[int]:
    """count steps from 0 to steps, evenly spread (all of them when there are no more than count)."""
    if steps + 1 <= count:
        return list(range(steps + 1))
    return [round(i * steps / (count - 1)) for i in range(count)]


def text_chart(losses: Sequence[float], width: int, precision: int, log: bool = False) -> list[str]:
    """The curve as lines of text at most width wide: the highest and lowest loss on the axis, steps below.

    log: rows are spaced by the logarithm of the loss (every loss must be positive).
    """
    steps = len(losses) - 1
    top, bottom = max(losses), min(losses)
    labels = (fmt_number(top, precision), fmt_number(bottom, precision))
    lw = max(len(x) for x in labels)
    cols = max(2, min(MAX_COLUMNS, width - lw - 4))
    scale = math.log if log else (lambda x: x)
    span = scale(top) - scale(bottom)
    grid = [[" "] * cols for _ in range(HEIGHT)]
    for k in picks(steps, cols):
        column = round(k * (cols - 1) / steps) if steps else 0
        row = round((scale(top) - scale(losses[k])) / span * (HEIGHT - 1)) if span > 0 else HEIGHT // 2
        grid[row][column] = DOT
    lines = []
    for r, cells in enumerate(grid):
        label = labels[0] if r == 0 else labels[1] if r == HEIGHT - 1 else ""
        lines.append(f"  {label:>{lw}} {'┤' if label else '│'}{''.join(cells)}".rstrip())
    lines.append(f"  {'':>{lw}} └{'─' * cols}")
    lines.append(f"  {'':>{lw}}  0{str(steps):>{cols - 1}}")
    return lines


def _decimals(values: Sequence[float]) -> int:
    """Decimals that keep four significant figures of the smallest value (mermaid reads no exponents)."""
    smallest = min((abs(v) for v in values if v), default=1.0)
    digits = 4
    while smallest * 10 ** digits < 1000 and digits < 15:
        digits += 1
    return digits


def xychart(losses: Sequence[float], name: str, log: bool = False) -> list[str]:
    """A mermaid xychart-beta line chart of the loss after each step; GitHub renders it.

    log: the chart shows log10 of the loss (mermaid has no logarithmic axis), and says so.
    """
    steps = len(losses) - 1
    values = [math.log10(losses[k]) if log else losses[k] for k in picks(steps, MERMAID_POINTS)]
    d = 4 if log else _decimals(values)
    axis = f"log10 of {name}" if log else name
    return ["xychart-beta", f'  title "{name} after each step{" (log scale)" if log else ""}"',
            f'  x-axis "step" 0 --> {steps}', f'  y-axis "{axis}"',
            f"  line [{', '.join(f'{v:.{d}f}' for v in values)}]"]
