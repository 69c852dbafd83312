"""The ``xinyong`` command: translate arguments into service calls and results into text."""
