-- Every change to an issue's checklist (items or state), by any writer (the API, webhooks, the
-- purge, a GDPR deletion, psql), is announced on the channel `app_checklist_changed` once per
-- issue and statement, delivered when the transaction commits. Every app instance LISTENs and
-- drops its cached copy of that checklist (lib/checklists/read-cache.ts). Payload: clientKey,
-- U+0001, issueId; a statement touching more than 500 issues of a site says `*` for the issue.
CREATE FUNCTION app_checklist_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  n integer;
BEGIN
  SELECT count(DISTINCT ("clientKey", "issueId")) INTO n FROM changed_rows;
  IF n > 500 THEN
    PERFORM pg_notify('app_checklist_changed', k) FROM (SELECT DISTINCT "clientKey" || chr(1) || '*' AS k FROM changed_rows) s;
  ELSE
    PERFORM pg_notify('app_checklist_changed', k) FROM (SELECT DISTINCT "clientKey" || chr(1) || "issueId" AS k FROM changed_rows) s;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER "ChecklistItem_changed_insert" AFTER INSERT ON "ChecklistItem" REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION app_checklist_changed();
CREATE TRIGGER "ChecklistItem_changed_update" AFTER UPDATE ON "ChecklistItem" REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION app_checklist_changed();
CREATE TRIGGER "ChecklistItem_changed_delete" AFTER DELETE ON "ChecklistItem" REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION app_checklist_changed();
CREATE TRIGGER "ChecklistState_changed_insert" AFTER INSERT ON "ChecklistState" REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION app_checklist_changed();
CREATE TRIGGER "ChecklistState_changed_update" AFTER UPDATE ON "ChecklistState" REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION app_checklist_changed();
CREATE TRIGGER "ChecklistState_changed_delete" AFTER DELETE ON "ChecklistState" REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION app_checklist_changed();
