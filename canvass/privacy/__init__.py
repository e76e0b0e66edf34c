"""Personal data: consent, how long each kind is kept, requests from the people it is about, and the audit log.

Plain modules without Flask, so the purge can run from the command line or a timer. docs/privacy.md
describes the whole for a data protection officer.
"""
