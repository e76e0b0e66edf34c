"""The consent text a resident agrees to before their contact details are written down.

A changed text gets a new version; every stored contact records the version it was given under.
"""
from datetime import timedelta

from flask_babel import lazy_gettext as _l

VERSION = "2026-11-v1"
RETENTION = timedelta(days=180)
TEXT = _l("Jeg samtykker til at partiet lagrer navnet mitt og kontaktinformasjonen jeg oppgir, for å kontakte meg "
          "om det jeg har bedt om (medlemskap eller en samtale). Opplysningene lagres adskilt fra det jeg har sagt, "
          "brukes ikke til noe annet og slettes senest etter seks måneder. Jeg kan når som helst be om innsyn "
          "eller sletting.")
