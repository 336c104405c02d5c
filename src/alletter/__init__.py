"""alletter: assemble UN Special Procedures communications from YAML case files."""

__version__ = "0.1.0"
