from pathlib import Path
from typing import Any

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


def catalogue_problems(po_path: Path) -> list[str]:
    """What is wrong with one catalogue: untranslated or fuzzy entries, or a stale compiled .mo."""
    po = polib.pofile(str(po_path))
    problems = [f"untranslated: {entry.msgid!r}" for entry in po.untranslated_entries()]
    problems += [f"fuzzy: {entry.msgid!r}" for entry in po.fuzzy_entries()]
    mo_path = po_path.with_suffix(".mo")
    if not mo_path.exists():
        return [*problems, "no compiled .mo file"]
    if _entries(po) != _entries(polib.mofile(str(mo_path))):
        problems.append("the compiled .mo file does not match the .po file")
    return problems


def _entries(catalogue: polib._BaseFile) -> dict[tuple[str | None, str], object]:
    return {
        (entry.msgctxt, entry.msgid): entry.msgstr_plural or entry.msgstr
        for entry in catalogue
        if not entry.obsolete and "fuzzy" not in entry.flags and entry.msgid
    }


class Command(BaseCommand):
    help = "Fail unless every translation catalogue is complete and compiled."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="*", help="Locale folders to check (default: LOCALE_PATHS).")

    def handle(self, *args: Any, paths: list[str], **options: Any) -> None:
        """Check every django.po under the locale folders; exit non-zero listing what is wrong."""
        roots = [Path(p) for p in paths] or [Path(p) for p in settings.LOCALE_PATHS]
        catalogues = sorted(po for root in roots for po in root.glob("*/LC_MESSAGES/*.po"))
        if not catalogues:
            raise CommandError(f"No catalogues found under {', '.join(map(str, roots))}.")
        failures = [f"{po}: {problem}" for po in catalogues for problem in catalogue_problems(po)]
        if failures:
            raise CommandError("Translations are not complete:\n" + "\n".join(failures))
        self.stdout.write(f"{len(catalogues)} catalogue(s) complete and compiled.")
