"""Collection (归集) in bulk: column-wise checks, subject linking and record building on polars frames."""
