"""The static files storage without debug: WhiteNoise's compressed, hashed-name (manifest) storage.

``manage.py collectstatic`` (``make serve`` runs it) writes every file to STATIC_ROOT under a content-hashed name
with its compressed copies and the manifest; ``{% static %}`` then links the hashed names, which browsers cache
for good. Two differences from WhiteNoise's class:

* a stylesheet's reference to a file that does not exist is left as it is, with a warning, instead of failing
  collectstatic (viewflow 2.4 ships a stray copy of ``roboto-fontface.css`` under ``node_modules/`` whose
  relative font paths lead nowhere; the copy the pages use is intact);
* before collectstatic ever ran (no manifest at all, e.g. a local ``runserver --insecure`` with debug off,
  serving from the source folders), links are the plain names instead of an error on every page. Once a
  manifest exists it is strict: a file missing from it is an error, as upstream.
"""

import logging
from urllib.parse import unquote, urlsplit

from whitenoise.storage import CompressedManifestStaticFilesStorage

logger = logging.getLogger(__name__)


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._missing: set[str] = set()

    def hashed_name(self, name, content=None, filename=None):
        if content is None:
            path = urlsplit(unquote(filename or name)).path.strip()
            if not self.exists(path):
                if path not in self._missing:  # once per file: collectstatic passes over stylesheets several times
                    self._missing.add(path)
                    logger.warning("Static files: %s is referred to but does not exist; the reference is kept.", path)
                return name
        return super().hashed_name(name, content, filename)

    def stored_name(self, name):
        if not self.hashed_files:  # no manifest: collectstatic has not run
            return name
        return super().stored_name(name)
