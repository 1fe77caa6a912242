-- Tokens issued before this time are refused: set when the password changes.
ALTER TABLE users ADD COLUMN tokens_valid_after TIMESTAMP;
