-- The group commit of inbound messages sends its last statement and COMMIT in one
-- round trip, so the statement itself must fail when the batch no longer holds (a
-- message stored before, a conversation changed since it was read): this raises, the
-- server skips the COMMIT and the batch is rolled back. SQLSTATE KF409 tells the caller
-- to store those messages one by one. Not SECURITY DEFINER: it reads nothing.

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION kefu_batch_check(ok boolean) RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  IF ok IS NOT TRUE THEN
    RAISE EXCEPTION 'batch conflict: a message was stored before or a conversation changed' USING ERRCODE = 'KF409';
  END IF;
  RETURN true;
END
$$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION kefu_batch_check(boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION kefu_batch_check(boolean) TO kefu_app;

-- +goose Down
DROP FUNCTION kefu_batch_check(boolean);
