"""What people said, for the programme committees: scrubbing, small-group suppression and themes.

Plain modules that know nothing of Flask or the database, so they can be tested on their own.
"""
