"""Races: many processes attempt the same action at the same moment on a shared database (marker ``race``)."""
