"""Reading a problem file: YAML with lines, validation, and one module per input form."""
