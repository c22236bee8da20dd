"""Staff accounts: roles, passwords (Argon2), TOTP for everyone, throttled logins."""
