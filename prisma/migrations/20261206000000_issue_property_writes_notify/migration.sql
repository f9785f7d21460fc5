-- Every change to an issue's unfinished property writes (a job of the queue `issue-property`
-- enqueued, claimed, deferred, finished, cancelled), by any instance, is announced on the channel
-- `app_checklist_changed` once per issue and statement, on commit. Payload: clientKey, U+0001,
-- issueId (the job's coalesceKey), U+0001, `writes`: every instance drops only its cached copy of
-- that issue's unfinished writes (lib/checklists/read-cache.ts), which the panel's sync state is
-- read from. A statement touching more than 500 issues of a site says `*` for the issue. Deleting
-- finished jobs (the purge) announces nothing: they were not unfinished writes.
CREATE FUNCTION app_issue_writes_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  n integer;
BEGIN
  SELECT count(DISTINCT ("clientKey", "coalesceKey")) INTO n FROM changed_rows
    WHERE "queue" = 'issue-property' AND "coalesceKey" IS NOT NULL AND (TG_OP <> 'DELETE' OR "status" IN ('pending', 'running'));
  IF n = 0 THEN
    RETURN NULL;
  ELSIF n > 500 THEN
    PERFORM pg_notify('app_checklist_changed', k) FROM (SELECT DISTINCT "clientKey" || chr(1) || '*' || chr(1) || 'writes' AS k FROM changed_rows
      WHERE "queue" = 'issue-property' AND "coalesceKey" IS NOT NULL AND (TG_OP <> 'DELETE' OR "status" IN ('pending', 'running'))) s;
  ELSE
    PERFORM pg_notify('app_checklist_changed', k) FROM (SELECT DISTINCT "clientKey" || chr(1) || "coalesceKey" || chr(1) || 'writes' AS k FROM changed_rows
      WHERE "queue" = 'issue-property' AND "coalesceKey" IS NOT NULL AND (TG_OP <> 'DELETE' OR "status" IN ('pending', 'running'))) s;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER "ConnectJob_writes_insert" AFTER INSERT ON "ConnectJob" REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION app_issue_writes_changed();
CREATE TRIGGER "ConnectJob_writes_update" AFTER UPDATE ON "ConnectJob" REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION app_issue_writes_changed();
CREATE TRIGGER "ConnectJob_writes_delete" AFTER DELETE ON "ConnectJob" REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION app_issue_writes_changed();
