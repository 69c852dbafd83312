"""Named intermediate columns, computed in dependency order.

polars expands an expression into a tree, so a sub-expression used in several places is computed (and
planned) once per use; naming it keeps each tree small and computes it once. ``Steps.keep`` registers
an expression under a fresh name at the first stage after the columns it reads, and returns a
reference to it; ``Steps.run`` adds the stages to a frame one ``with_columns`` at a time.
"""

from __future__ import annotations

from collections import defaultdict

import polars as pl


class Steps:
    def __init__(self, inputs: list[str]) -> None:
        self._stage: dict[str, int] = dict.fromkeys(inputs, 0)
        self._stages: dict[int, list[pl.Expr]] = defaultdict(list)
        self._count = 0

    def keep(self, expr: pl.Expr, name: str | None = None) -> pl.Expr:
        if name is None:
            name = f"__s{self._count}"
            self._count += 1
        stage = 1 + max((self._stage[root] for root in expr.meta.root_names()), default=0)
        self._stages[stage].append(expr.alias(name))
        self._stage[name] = stage
        return pl.col(name)

    def __contains__(self, name: str) -> bool:
        return name in self._stage

    def run(self, frame: pl.LazyFrame) -> pl.LazyFrame:
        for stage in sorted(self._stages):
            frame = frame.with_columns(self._stages[stage])
        return frame
