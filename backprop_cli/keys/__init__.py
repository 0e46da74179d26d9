"""Answer keys: their names, key files, checking them, and reports."""
