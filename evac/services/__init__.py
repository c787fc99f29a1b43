"""Services: one function per thing a user does. Each loads what it needs, checks permission and
the workflow, writes, records the audit event in the same transaction, and commits."""
