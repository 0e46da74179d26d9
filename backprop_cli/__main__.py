"""python -m backprop_cli."""
from .cli import main

main()
