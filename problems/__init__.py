"""The example problems, shipped inside the package as backprop_cli.examples (pyproject.toml maps this folder).

`backprop examples` lists them and copies one out; this folder stays the one copy.
"""
