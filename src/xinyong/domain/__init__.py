"""The pure domain core: plain classes and functions, no I/O and no framework imports."""
