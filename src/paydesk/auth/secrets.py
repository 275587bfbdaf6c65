"""API key and password hashing (standard library only)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

KEY_PREFIX = "pdk"


def new_api_key() -> tuple[str, str, str]:
    """Return ``(full_key, key_id, secret_hash)``; only the hash is stored."""
    key_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(24)
    return f"{KEY_PREFIX}_{key_id}_{secret}", key_id, hash_secret(secret)


def split_api_key(full_key: str) -> tuple[str, str] | None:
    parts = full_key.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_secret(secret), stored_hash)


_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def password_matches(password: str, stored: str | None) -> bool:
    if not stored or not stored.startswith("scrypt$"):
        return False
    _, salt_hex, digest_hex = stored.split("$", 2)
    digest = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt_hex), **_SCRYPT)
    return hmac.compare_digest(digest.hex(), digest_hex)
