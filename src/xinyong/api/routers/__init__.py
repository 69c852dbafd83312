"""One router module per endpoint family, all under /api/v1."""
