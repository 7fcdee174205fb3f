"""The domain, pure Python: form model, expression engine, records, code lists. No Qt, SQL or files."""
