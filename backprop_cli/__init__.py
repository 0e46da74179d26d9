"""backprop-cli: step-by-step backpropagation solutions from YAML problem files."""

__version__ = "0.1.0"
