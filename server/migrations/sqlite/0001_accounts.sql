-- District server (SQLite backend): makerspaces, users, roles and sign-in tokens.
CREATE TABLE makerspace (
    code  TEXT PRIMARY KEY,
    name  TEXT NOT NULL
) STRICT;

CREATE TABLE account (
    id             TEXT PRIMARY KEY,
    username       TEXT NOT NULL UNIQUE,
    password_hash  TEXT NOT NULL,
    created_at     INTEGER NOT NULL
) STRICT;

CREATE TABLE account_role (
    account_id       TEXT NOT NULL REFERENCES account(id),
    makerspace_code  TEXT NOT NULL REFERENCES makerspace(code),
    role             TEXT NOT NULL CHECK (role IN ('founder', 'mentor', 'lab_manager', 'space_admin', 'district_operator')),
    PRIMARY KEY (account_id, makerspace_code, role)
) STRICT, WITHOUT ROWID;

-- Only a hash of each bearer token is kept: a copy of the database signs nobody in.
CREATE TABLE token (
    token_hash  TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES account(id),
    expires_at  INTEGER NOT NULL,
    revoked     INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX token_by_account ON token(account_id);
