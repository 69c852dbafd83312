"""Use cases: one module per capability, one function per use case, each inside a unit of work."""
