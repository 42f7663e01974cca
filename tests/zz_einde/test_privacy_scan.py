"""After the whole suite: every service log line of the run contains no inwoner free text, no
birth date and no name from the test data (AVG). Runs last (folder name)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from tests.conftest import EXAMPLES, LOG_FILE

NAMES = ("Jan-Jansen", "Jansen", "Geheime-wens")
DATE_IN_TEXT = re.compile(r"\b(19|20)\d\d-\d\d-\d\d\b")


def test_no_personal_data_in_the_logs_of_the_whole_run() -> None:
    path = Path(LOG_FILE)
    assert path.is_file() and path.stat().st_size > 0, "the suite wrote no service logs"
    lines = path.read_text("utf-8").splitlines()
    assert len(lines) > 100
    free_text = [e["omschrijving"] for p in EXAMPLES.glob("*.yaml")
                 for e in yaml.safe_load(p.read_text("utf-8"))["gewenste_effecten"]]
    free_text += ["Zelf naar de markt.", "Hij komt de deur niet meer uit en vereenzaamt.",
                  "Proefrit met de regiotaxi"]
    for line in lines:
        entry = json.loads(line)
        text = json.dumps({k: v for k, v in entry.items() if k != "tijd"}, ensure_ascii=False)
        for secret in (*free_text, *NAMES):
            assert secret not in text, (secret, line)
        assert not DATE_IN_TEXT.search(text), line  # no birth date or any other date
