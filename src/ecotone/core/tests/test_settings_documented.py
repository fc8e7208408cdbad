"""Every environment variable the code or scripts read is documented in docs/settings.md."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]
READERS = [
    r"os\.environ\.get\(\s*\"([A-Z0-9_]+)\"",
    r"os\.environ\[\s*\"([A-Z0-9_]+)\"\]",
    r"env_(?:bool|list|int|choice)\(\s*\"([A-Z0-9_]+)\"",
    r"os\.environ\.setdefault\(\s*\"([A-Z0-9_]+)\"",
]
NOT_SETTINGS = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "CI"}


def variables_read_by_the_code() -> set[str]:
    found = set()
    for path in [*ROOT.joinpath("src").rglob("*.py"), ROOT / "conftest.py"]:
        text = path.read_text(encoding="utf-8")
        for pattern in READERS:
            found.update(re.findall(pattern, text))
    return found - NOT_SETTINGS


def test_every_setting_is_documented():
    documented = set(re.findall(r"`([A-Z0-9_]+)`", (ROOT / "docs" / "settings.md").read_text()))
    missing = sorted(variables_read_by_the_code() - documented)
    assert not missing, f"document these in docs/settings.md: {missing}"


def test_the_scan_finds_the_core_settings():
    assert {"ECOTONE_HOME", "DATABASE_URL", "ECOTONE_SECRET_KEY"} <= variables_read_by_the_code()
