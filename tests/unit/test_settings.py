from __future__ import annotations

import re
from pathlib import Path

import pytest

from xinyong.errors import ConfigurationError
from xinyong.settings import Settings, load_settings

DOC = Path(__file__).parents[2] / "docs" / "settings.md"


class TestSettingsDocumentation:
    def test_every_setting_is_documented_and_nothing_else(self) -> None:
        documented = set(re.findall(r"^\| `XINYONG_([A-Z0-9_]+)`", DOC.read_text(), flags=re.MULTILINE))
        assert documented == {name.upper() for name in Settings.model_fields}


class TestSettingsValidation:
    def test_database_defaults_to_sqlite_in_the_data_dir(self, tmp_path: Path) -> None:
        settings = Settings(data_dir=tmp_path)
        assert settings.effective_database_url == f"sqlite:///{tmp_path / 'xinyong.db'}"

    def test_environment_variables_are_read(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("XINYONG_DATA_DIR", str(tmp_path))
        monkeypatch.setenv("XINYONG_DATABASE_URL", "postgresql://x@localhost/y")
        settings = load_settings()
        assert settings.data_dir == tmp_path
        assert settings.effective_database_url == "postgresql://x@localhost/y"

    def test_short_secret_key_is_refused(self, tmp_path: Path) -> None:
        with pytest.raises(ConfigurationError):
            _ = Settings(data_dir=tmp_path, secret_key="short").effective_secret_key

    def test_generated_secret_key_is_kept_private_and_stable(self, tmp_path: Path) -> None:
        first = Settings(data_dir=tmp_path).effective_secret_key
        assert len(first) >= 32
        assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
        assert Settings(data_dir=tmp_path).effective_secret_key == first

    def test_bad_value_stops_start_up_with_its_name(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("XINYONG_SESSION_HOURS", "0")
        with pytest.raises(ConfigurationError) as caught:
            load_settings()
        assert "session_hours" in caught.value.message
