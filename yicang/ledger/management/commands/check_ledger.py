from typing import Any

from django.core.management.base import BaseCommand, CommandError

from yicang.ledger.selectors import drifted_balances, totals_by_unit, unbalanced_transactions


class Command(BaseCommand):
    help = (
        "Prove the book sound: every unit sums to zero, every transaction balances, every kept balance equals its legs."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        """Check the whole book; exit non-zero listing each fault."""
        faults = [f"unit {unit}: all legs sum to {total}, not 0" for unit, total in totals_by_unit().items() if total]
        faults += [
            f"transaction #{row['transaction_id']}: {row['account__unit']} legs sum to {row['total']}"
            for row in unbalanced_transactions()
        ]
        faults += [
            f"account #{a.pk} {a.name}: kept balance {a.balance}, legs sum to {a.legs_total}"  # type: ignore[attr-defined]
            for a in drifted_balances()
        ]
        if faults:
            raise CommandError("The book is not sound:\n" + "\n".join(faults))
        self.stdout.write("The book is sound: every unit sums to zero and every balance equals its legs.")
