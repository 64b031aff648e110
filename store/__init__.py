"""SQLite storage: the connection and migrations (`db`), and one module per kind of record."""
