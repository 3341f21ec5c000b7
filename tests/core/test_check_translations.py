from pathlib import Path

import polib
import pytest
from django.core.management import CommandError, call_command


def _catalogue(root: Path, entries: dict[str, str], *, compile_it: bool = True) -> Path:
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    for msgid, msgstr in entries.items():
        po.append(polib.POEntry(msgid=msgid, msgstr=msgstr))
    folder = root / "zh_Hans" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    po.save(str(folder / "django.po"))
    if compile_it:
        po.save_as_mofile(str(folder / "django.mo"))
    return folder


def test_a_complete_compiled_catalogue_passes(tmp_path: Path) -> None:
    _catalogue(tmp_path, {"Household": "家庭"})

    call_command("check_translations", str(tmp_path))


def test_an_untranslated_string_fails(tmp_path: Path) -> None:
    _catalogue(tmp_path, {"Household": "家庭", "Resident": ""})

    with pytest.raises(CommandError, match="untranslated: 'Resident'"):
        call_command("check_translations", str(tmp_path))


def test_a_stale_compiled_file_fails(tmp_path: Path) -> None:
    folder = _catalogue(tmp_path, {"Household": "家庭"})
    po = polib.pofile(str(folder / "django.po"))
    po.append(polib.POEntry(msgid="Resident", msgstr="居民"))
    po.save()

    with pytest.raises(CommandError, match=r"the compiled \.mo file does not match"):
        call_command("check_translations", str(tmp_path))


def test_the_projects_own_catalogues_are_complete() -> None:
    call_command("check_translations")
