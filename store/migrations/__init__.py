"""Numbered SQL migrations: `NNNN_name.sql`, applied in order, tracked in PRAGMA user_version."""
