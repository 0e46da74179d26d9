"""The documented limits on input, in one place (the README's Limits table lists them, in this order).

Each is far beyond any homework problem and keeps a hostile or mistyped file from hanging the
tool or exhausting its memory. Each is refused early, with one line that names the limit.
"""
from __future__ import annotations

# The file
MAX_FILE_BYTES = 2_000_000  # one problem or key file: parsing YAML in Python takes seconds per megabyte
MAX_YAML_DEPTH = 64  # lists and mappings inside one another (a problem nests 5 or 6 deep)
MAX_ERRORS = 10  # errors reported for one file in one run, each on its own line; one more line counts the rest

# Names and numbers
MAX_NAME = 64  # characters of one name (an input, parameter, node, or a weight name a template makes)
MAGNITUDE = 1e6  # largest magnitude of a number in a problem: beyond it a homework number is a typo
MAX_DIGITS = 30  # digits of one number written in a formula

# Formulas
MAX_FORMULA_CHARS = 100_000  # one formula's text
MAX_NESTING = 100  # brackets, functions and powers inside one formula (a flat sum of any length is depth 1)
MAX_DERIVATIVE = 2_000  # names, numbers and operations in one printed local derivative ∂node/∂x

# Sizes
MAX_NODES = 5_000  # computed values of one problem: neurons' z and a, equations, expression steps, loss terms
MAX_SOFTMAX = 1_000  # components of one softmax group
MAX_SAMPLES = 10_000  # samples of one batch

# What is shown (not refused): JSON always has everything
SOFTMAX_JACOBIAN = 10  # a softmax group up to this size shows its full Jacobian; a larger one its closed form
MAX_SHOWN_SAMPLES = 10  # a batch up to this size is shown sample by sample; a larger one shows its first
SHOWN_SAMPLES = 3  # samples and the totals (solve --full shows every sample)
SUMMARY_PARAMS = 100  # a layers-form network with more parameters is solved as matrices and shown per layer
#                       (solve --full: every scalar step; --summary: the matrix form at any size)
