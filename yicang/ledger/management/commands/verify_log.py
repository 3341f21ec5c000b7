import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from yicang.ledger.log import client as verifier


class Command(BaseCommand):
    help = _(
        "Verify a Yicang site's public log through its public API: the checkpoint's signature, every leaf "
        "against the signed root, an item's trace (--code) and that the log only grew (--since-size, --state)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", required=True, help=_("The site, e.g. https://yicang.example.org"))
        parser.add_argument(
            "--code", action="append", default=[], help=_("An item's code: check each step of its trace (repeatable)")
        )
        parser.add_argument(
            "--key",
            action="append",
            default=[],
            help=_("A public key of the log (base64) you trust, repeatable; else the site's own are used"),
        )
        parser.add_argument("--since-size", type=int, help=_("An earlier checkpoint's size: prove the log only grew"))
        parser.add_argument(
            "--state", type=Path, help=_("A file keeping the last verified checkpoint; checked against and updated")
        )
        parser.add_argument(
            "--skip-entries", action="store_true", help=_("Do not download every leaf (proofs are still checked)")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        """Exit with an error naming the first thing that does not verify; print what was checked otherwise."""
        client = verifier.LogClient(options["url"])
        try:
            self._verify(client, options)
        except verifier.VerificationFailed as failure:
            raise CommandError(_("Verification failed: %(reason)s") % {"reason": failure}) from None
        except (OSError, ValueError, KeyError) as error:
            raise CommandError(
                _("Could not read the log from %(url)s: %(error)s") % {"url": client.base_url, "error": error}
            ) from None

    def _verify(self, client: verifier.LogClient, options: dict[str, Any]) -> None:
        _current, keys = verifier.public_keys(client, options["key"])
        head = verifier.verified_checkpoint(client, keys)
        self.stdout.write(
            _("Checkpoint of %(size)s leaves: signature valid (key %(key)s).") % {"size": head.size, "key": head.key_id}
        )
        if not options["key"]:
            self.stdout.write(_("The key was taken from the site itself; pin it with --key to detect a new one."))
        leaves = None
        if not options["skip_entries"]:
            leaves = verifier.verify_entries(client, head)
            self.stdout.write(_("All %(size)s leaves make the signed root.") % {"size": head.size})
        earlier: list[verifier.Head] = []
        if options["since_size"] is not None:
            earlier.append(verifier.verified_checkpoint(client, keys, options["since_size"]))
        state: Path | None = options["state"]
        if state is not None and state.exists():
            saved = json.loads(state.read_text())
            earlier.append(verifier.Head(int(saved["tree_size"]), verifier.decode_b64(saved["root_hash"], str(state))))
        for old in earlier:
            verifier.verify_consistency(client, old, head)
            self.stdout.write(
                _("The log of %(old)s leaves is a prefix of today's %(new)s.") % {"old": old.size, "new": head.size}
            )
        for code in options["code"]:
            steps = verifier.verify_item(client, head, code, leaves)
            self.stdout.write(
                _("Item %(code)s: all %(steps)s steps of its trace are in the signed log.")
                % {"code": code, "steps": steps}
            )
        if state is not None:
            state.write_text(json.dumps({"tree_size": head.size, "root_hash": verifier.encode_b64(head.root)}))
        self.stdout.write(self.style.SUCCESS(_("The public log verifies.")))
