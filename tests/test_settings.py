from datetime import date
from pathlib import Path

import pytest

from euprojects.errors import SettingsError
from euprojects.settings import Settings, load_settings


def test_defaults():
    s = load_settings({}, {})
    assert s == Settings(db=Path("var/euprojects.db"), index_dir=None,
                         search_time_budget_ms=2000, lang="en", today=None,
                         host="127.0.0.1", port=8000, workers=0)
    assert s.index_path == Path("var/euprojects.index")
    assert 1 <= s.worker_count <= 8  # 0: one per core
    assert s.public_url == "http://localhost:8000"
    assert load_settings({"base_url": "https://p.example.org/"}, {}).public_url == \
        "https://p.example.org"


def test_option_beats_environment_beats_default():
    env = {"EUPROJECTS_DB": "env.db", "EUPROJECTS_LANG": "de"}
    assert load_settings({}, env).db == Path("env.db")
    s = load_settings({"db": Path("opt.db"), "lang": None}, env)
    assert (s.db, s.lang) == (Path("opt.db"), "de")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"EUPROJECTS_LANG": "it"}, "setting 'lang': 'it' is not one of fr, en, de"),
        ({"EUPROJECTS_TODAY": "28/11/2026"},
         "setting 'EUPROJECTS_TODAY': '28/11/2026' is not a date (YYYY-MM-DD)"),
        ({"EUPROJECTS_DB": " "}, "setting 'EUPROJECTS_DB': empty path"),
        ({"EUPROJECTS_SEARCH_TIME_BUDGET_MS": "soon"},
         "setting 'EUPROJECTS_SEARCH_TIME_BUDGET_MS': 'soon' is not a whole number"),
        ({"EUPROJECTS_PORT": "70000"}, "setting 'port': 70000 is not from 1 to 65535"),
        ({"EUPROJECTS_WORKERS": "-1"}, "setting 'EUPROJECTS_WORKERS': -1 must not be negative"),
        ({"EUPROJECTS_HEADER_TIMEOUT": "0"}, "setting 'header_timeout': 0 is not from 1 to 600"),
        ({"EUPROJECTS_BASE_URL": "example.org"},
         "setting 'base_url': 'example.org' is not an http:// or https:// URL"),
        ({"EUPROJECTS_HOST": " "}, "setting 'host': empty address"),
    ],
)
def test_bad_values_fail_naming_the_key(env, message):
    with pytest.raises(SettingsError) as info:
        load_settings({}, env)
    assert str(info.value) == message


def test_today_setting_fixes_the_day_statuses_use():
    assert load_settings({"today": "2020-01-31"}, {}).current_day() == date(2020, 1, 31)
    assert load_settings({}, {}).current_day() == date.today()
