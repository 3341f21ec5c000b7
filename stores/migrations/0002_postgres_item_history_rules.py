"""PostgreSQL keeps an item's history honest whatever writes to it (the ORM, raw SQL, a shell).

- Each event starts where the previous one left the item ("" for the first), and, at commit, the
  item's status is the status its latest event left it in; an item without events cannot commit.
- Events are never updated or deleted.
The allowed steps themselves are a check constraint of the model (0001).
"""

from django.db import migrations

FORWARD = """
CREATE FUNCTION stores_check_item_history() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    target bigint;
    latest text;
    current text;
BEGIN
    IF TG_TABLE_NAME = 'stores_itemevent' THEN
        target := NEW.item_id;
        IF NEW.from_status <> COALESCE(
            (SELECT to_status FROM stores_itemevent
              WHERE item_id = NEW.item_id AND id < NEW.id ORDER BY id DESC LIMIT 1), '') THEN
            RAISE EXCEPTION 'item % event % does not start where the item was', NEW.item_id, NEW.id
                USING ERRCODE = 'check_violation';
        END IF;
    ELSE
        target := NEW.id;
    END IF;
    SELECT to_status INTO latest FROM stores_itemevent WHERE item_id = target ORDER BY id DESC LIMIT 1;
    SELECT status INTO current FROM stores_item WHERE id = target;
    IF latest IS NULL OR latest <> current THEN
        RAISE EXCEPTION 'item % is %, but its history says %', target, current, COALESCE(latest, 'nothing')
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER stores_itemevent_history
    AFTER INSERT ON stores_itemevent DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION stores_check_item_history();
CREATE CONSTRAINT TRIGGER stores_item_status_agrees
    AFTER INSERT OR UPDATE OF status ON stores_item DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION stores_check_item_history();

CREATE FUNCTION stores_refuse_event_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'item events are append-only: record a correction instead' USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER stores_itemevent_append_only
    BEFORE UPDATE OR DELETE ON stores_itemevent FOR EACH ROW EXECUTE FUNCTION stores_refuse_event_change();
"""

BACKWARD = """
DROP TRIGGER stores_itemevent_append_only ON stores_itemevent;
DROP FUNCTION stores_refuse_event_change();
DROP TRIGGER stores_item_status_agrees ON stores_item;
DROP TRIGGER stores_itemevent_history ON stores_itemevent;
DROP FUNCTION stores_check_item_history();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("stores", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
