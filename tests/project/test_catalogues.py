"""French is the default language: its catalogue is complete, with nothing fuzzy, and compiled."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FRENCH = ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def entries(text: str) -> list[str]:
    return [block for block in re.split(r"\n\s*\n", text) if "msgid" in block]


def test_every_french_message_is_translated_and_none_is_fuzzy():
    blocks = entries(FRENCH.read_text(encoding="utf-8"))[1:]  # the header comes first
    lacking = []
    for block in blocks:
        if block.lstrip().startswith("#~"):
            continue  # obsolete
        msgid = re.search(r'^msgid "(.*)"', block, re.MULTILINE)
        # An empty msgstr not continued on the next line.
        empty = re.search(r'^msgstr(\[\d\])? ""(\n(?!")|\Z)', block, re.MULTILINE)
        if "#, fuzzy" in block or empty:
            lacking.append(msgid.group(1) if msgid else block)
    assert lacking == []


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext's msgfmt is not installed")
@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_compiled_catalogues_match_their_sources(tmp_path, language):
    source = ROOT / "locale" / language / "LC_MESSAGES" / "django.po"
    compiled = tmp_path / "django.mo"
    # As compilemessages runs it.
    subprocess.run(["msgfmt", "--check-format", "-o", str(compiled), str(source)], check=True)

    assert compiled.read_bytes() == source.with_suffix(".mo").read_bytes()
