"""PostgreSQL enforces the book's rules itself, whatever writes to it (the ORM, raw SQL, a shell).

- At commit, every transaction's legs sum to zero in each unit and there are at least two.
- Transactions and legs are never updated or deleted.
Other databases rely on post_transaction and the models' refusal to update or delete.
"""

from django.db import migrations

FORWARD = """
CREATE FUNCTION ledger_check_transaction() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    txn bigint;
    bad record;
BEGIN
    IF TG_TABLE_NAME = 'ledger_leg' THEN
        txn := NEW.transaction_id;
    ELSE
        txn := NEW.id;
    END IF;
    SELECT a.unit, SUM(l.amount) AS total INTO bad
      FROM ledger_leg l JOIN ledger_account a ON a.id = l.account_id
     WHERE l.transaction_id = txn
     GROUP BY a.unit HAVING SUM(l.amount) <> 0
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'ledger transaction % is unbalanced: its % legs sum to %', txn, bad.unit, bad.total
            USING ERRCODE = 'check_violation';
    END IF;
    IF (SELECT COUNT(*) FROM ledger_leg WHERE transaction_id = txn) < 2 THEN
        RAISE EXCEPTION 'ledger transaction % has fewer than two legs', txn USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER ledger_leg_balanced
    AFTER INSERT ON ledger_leg DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_check_transaction();
CREATE CONSTRAINT TRIGGER ledger_transaction_has_legs
    AFTER INSERT ON ledger_transaction DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_check_transaction();

CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows are append-only: post a reversal instead', TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END $$;

CREATE TRIGGER ledger_leg_append_only
    BEFORE UPDATE OR DELETE ON ledger_leg FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_transaction_append_only
    BEFORE UPDATE OR DELETE ON ledger_transaction FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
"""

BACKWARD = """
DROP TRIGGER ledger_transaction_append_only ON ledger_transaction;
DROP TRIGGER ledger_leg_append_only ON ledger_leg;
DROP FUNCTION ledger_refuse_change();
DROP TRIGGER ledger_transaction_has_legs ON ledger_transaction;
DROP TRIGGER ledger_leg_balanced ON ledger_leg;
DROP FUNCTION ledger_check_transaction();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
