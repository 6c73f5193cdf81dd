-- Desktop: whether the bearer token of `sync_state` is in the OS keyring (then `token` is
-- NULL) or, where no keyring answers, in `token` itself.
ALTER TABLE sync_state ADD COLUMN token_in_keyring INTEGER NOT NULL DEFAULT 0 CHECK (token_in_keyring IN (0, 1));
