"""backprop-cli: step-by-step backpropagation solutions from YAML problem files.

In a notebook:

    import backprop_cli as bp
    sol = bp.solve("problems/mazur.yaml")   # a file, a YAML text, or a dict
    sol                                      # shows the worked solution as markdown
    sol.value("dE_total/dw5")               # any quantity, by its answer-key name
    bp.grade("problems/mazur.yaml", {"out_h1": 0.5933})   # a student's numbers, marked

Importing the package loads nothing else: the API is imported when first used.
"""

__version__ = "0.1.0"
__all__ = ["Grade", "Solution", "grade", "solve"]


def __getattr__(name: str):
    if name in __all__:  # the notebook API, loaded on first use so `import backprop_cli` stays cheap
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'backprop_cli' has no attribute {name!r}")
