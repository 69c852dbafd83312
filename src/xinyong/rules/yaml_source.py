"""Reading rule files so that every error names the file and the line it comes from."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from xinyong.errors import ConfigurationError

M = TypeVar("M", bound=BaseModel)


def _line_of(node: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
    """The 1-based line of the node at a pydantic error location, as deep as it can be followed."""
    line = node.start_mark.line + 1 if node is not None else None
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == key), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            break
        if node is None:
            break
        line = node.start_mark.line + 1
    return line


def load_model(path: Path, model: type[M], text: str | None = None) -> M:
    """Parse one YAML file into ``model``; a bad file raises ``ConfigurationError`` naming file:line."""
    source = path.read_text(encoding="utf-8") if text is None else text
    try:
        node = yaml.compose(source)
        data: Any = yaml.safe_load(source)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise ConfigurationError(f"规则文件格式错误 {where}：{exc}", f"{where}: invalid YAML: {exc}") from exc
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        line = _line_of(node, tuple(first["loc"]))
        where = f"{path}:{line}" if line else str(path)
        field = ".".join(str(p) for p in first["loc"])
        raise ConfigurationError(
            f"规则文件有误 {where}（{field}）：{first['msg']}", f"{where} ({field}): {first['msg']}"
        ) from exc
