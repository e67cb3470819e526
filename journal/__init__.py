"""The application: sealed event storage, keys, identities and the journal service."""
