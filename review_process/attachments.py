"""Report attachments: what may be uploaded, how it is read, named and stored, and how it is served.

Invariants:

* The type is decided by the **content**, never by the name or the content type the client sent: PDF, DOCX,
  XLSX, ODT, PNG and JPEG (``sniff``).  Anything else is refused: 400 ``attachment_type_not_allowed``.
* An upload is read in chunks and reading **stops** as soon as it passes ``settings.REVIEW_ATTACHMENT_MAX_BYTES``
  (400 ``attachment_too_large``): the rest of it is never read.  What was read goes to a spooled temporary file
  (memory only up to ``SPOOL_MEMORY_BYTES``), hashed on the way.
* A stored name is a safe basename (ASCII letters, digits, ``.``, ``-``, ``_``; Vietnamese letters transliterated)
  with the extension of the detected type; never a path.
* Files live in ``PrivateStorage`` (``settings.PRIVATE_MEDIA_ROOT``), which has **no URL**: they are served only by
  the review's attachment view (``web.views.attachments``), which checks the review's permission, always as a
  download, with ``X-Content-Type-Options: nosniff`` and the allow-listed content type (``served_content_type``).
"""

from __future__ import annotations

import hashlib
import re
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from review_process.errors import InvalidInput

CHUNK_BYTES = 64 * 1024
SPOOL_MEMORY_BYTES = 1024 * 1024
MAX_STEM_CHARS = 60  # "reports/YYYY/" + stem + extension + a de-duplicating suffix fit in 100
FALLBACK_STEM = "attachment"
# Served when a stored file is not (or no longer) one of the allowed types, e.g. uploaded before the allow-list.
UNKNOWN_CONTENT_TYPE = "application/octet-stream"

ATTACHMENT_TOO_LARGE = _("The attachment is larger than %(mb)s MB.")
ATTACHMENT_TYPE_NOT_ALLOWED = _(
    "The attachment must be a PDF, Word (.docx), Excel (.xlsx), OpenDocument text (.odt), PNG or JPEG file."
)


@dataclass(frozen=True)
class Kind:
    """An allowed type: the content type it is served with and its extensions (the first is the canonical one)."""

    code: str
    content_type: str
    extensions: tuple[str, ...]


PDF = Kind("pdf", "application/pdf", (".pdf",))
DOCX = Kind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",))
XLSX = Kind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",))
ODT = Kind("odt", "application/vnd.oasis.opendocument.text", (".odt",))
PNG = Kind("png", "image/png", (".png",))
JPEG = Kind("jpeg", "image/jpeg", (".jpg", ".jpeg"))
KINDS = (PDF, DOCX, XLSX, ODT, PNG, JPEG)

_MAGIC = ((b"%PDF-", PDF), (b"\x89PNG\r\n\x1a\n", PNG), (b"\xff\xd8\xff", JPEG))
_ZIP_MAGIC = b"PK\x03\x04"
_ODT_MIMETYPE = ODT.content_type.encode("ascii")


# --- What a file is --------------------------------------------------------------------------------------------


def sniff(fh: IO[bytes]) -> Kind | None:
    """The allowed type of the content of ``fh`` (a seekable binary file), or None.  Leaves ``fh`` at 0."""
    try:
        fh.seek(0)
        head = fh.read(16)
        for magic, kind in _MAGIC:
            if head.startswith(magic):
                return kind
        if head.startswith(_ZIP_MAGIC):
            return _sniff_zip(fh)
        return None
    finally:
        fh.seek(0)


def _sniff_zip(fh: IO[bytes]) -> Kind | None:
    """An office document is a ZIP whose members say what it is; reads the directory and at most 64 bytes."""
    fh.seek(0)
    try:
        with zipfile.ZipFile(fh) as archive:  # a passed file object is left open
            names = set(archive.namelist())
            if "mimetype" in names:
                with archive.open("mimetype") as member:
                    return ODT if member.read(64).strip() == _ODT_MIMETYPE else None
            if "[Content_Types].xml" in names:
                if any(name.startswith("word/") for name in names):
                    return DOCX
                if any(name.startswith("xl/") for name in names):
                    return XLSX
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, RuntimeError, NotImplementedError):
        return None  # damaged, encrypted or oddly compressed: not an allowed document
    return None


def served_content_type(fh: IO[bytes]) -> str:
    """The content type a stored file is served with: the allowed type its content shows, never text/html."""
    kind = sniff(fh)
    return kind.content_type if kind else UNKNOWN_CONTENT_TYPE


# --- Names -----------------------------------------------------------------------------------------------------


def safe_name(name: str | None, kind: Kind | None = None) -> str:
    """A safe basename for ``name``: no directory, ASCII letters, digits, ``.``, ``-`` and ``_`` only (Vietnamese
    letters transliterated: "Báo cáo đợt 1.pdf" -> "Bao_cao_dot_1.pdf"), no leading dot.  With ``kind``, the
    extension is that type's (kept when it already is one of its extensions, replaced otherwise)."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    text = unicodedata.normalize("NFKD", base.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[^A-Za-z0-9._-]+", "_", text)
    text = re.sub(r"\.{2,}", ".", text).strip("._-")
    stem, dot, ext = text.rpartition(".")
    if not dot:
        stem, ext = text, ""
    ext = f".{ext.lower()}" if ext else ""
    if kind is not None and ext not in kind.extensions:
        ext = kind.extensions[0]
    stem = stem[:MAX_STEM_CHARS].strip("._-") or FALLBACK_STEM
    return f"{stem}{ext}"


def attachment_upload_to(instance, filename: str) -> str:
    """Where a report attachment is stored, relative to the private storage: ``reports/<year>/<safe name>``."""
    return f"reports/{timezone.now():%Y}/{safe_name(filename)}"


# --- Where files live ------------------------------------------------------------------------------------------


@deconstructible(path="review_process.attachments.PrivateStorage")
class PrivateStorage(FileSystemStorage):
    """Files under ``settings.PRIVATE_MEDIA_ROOT``, outside any public URL: ``url()`` refuses."""

    def __init__(self, location=None, **kwargs):
        kwargs.pop("base_url", None)
        super().__init__(location=location, base_url=None, **kwargs)

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def url(self, name):
        raise ValueError("Private files have no URL: serve them through a view that checks permissions.")


_private_storage = PrivateStorage()


def private_storage() -> PrivateStorage:
    """The storage of report attachments (a callable, so migrations do not depend on settings)."""
    return _private_storage


# --- Accepting an upload ---------------------------------------------------------------------------------------


@dataclass
class CheckedAttachment:
    """An upload that passed the checks: its content in a temporary file (at 0), a safe name, type, hash, size."""

    file: IO[bytes]
    name: str
    kind: Kind
    sha256: str
    size: int

    def as_file(self) -> File:
        return File(self.file, name=self.name)

    def close(self) -> None:
        self.file.close()


def _too_large(limit: int) -> InvalidInput:
    return InvalidInput(
        ATTACHMENT_TOO_LARGE, code="attachment_too_large", field="attachment", params={"mb": f"{limit / 1048576:g}"}
    )


def accept_upload(upload, *, limit: int | None = None) -> CheckedAttachment:
    """Read ``upload`` (an uploaded file or any binary file-like) in chunks, at most ``limit`` + 1 bytes, and check
    its type by content.  Raises ``InvalidInput`` (``attachment_too_large``, ``attachment_type_not_allowed``)."""
    limit = settings.REVIEW_ATTACHMENT_MAX_BYTES if limit is None else limit
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY_BYTES)
    sha = hashlib.sha256()
    size = 0
    try:
        try:
            upload.seek(0)
        except (AttributeError, OSError, ValueError):
            pass  # a stream that cannot seek is read from where it is
        while True:
            chunk = upload.read(min(CHUNK_BYTES, limit + 1 - size))
            if not chunk:
                break
            size += len(chunk)
            if size > limit:
                raise _too_large(limit)
            sha.update(chunk)
            spool.write(chunk)
        kind = sniff(spool)
        if kind is None:
            raise InvalidInput(ATTACHMENT_TYPE_NOT_ALLOWED, code="attachment_type_not_allowed", field="attachment")
    except BaseException:
        spool.close()
        raise
    return CheckedAttachment(
        file=spool,
        name=safe_name(getattr(upload, "name", None), kind),
        kind=kind,
        sha256=sha.hexdigest(),
        size=size,
    )


class LimitedUploadHandler(FileUploadHandler):
    """First in ``FILE_UPLOAD_HANDLERS``: a file part larger than ``REVIEW_ATTACHMENT_MAX_BYTES`` is dropped while it
    streams in (the handlers after this one never store more than the limit) and named in
    ``request.uploads_too_large``; ``refuse_oversized_uploads`` then answers 400 ``attachment_too_large``."""

    def new_file(self, field_name, *args, **kwargs):
        super().new_file(field_name, *args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.REVIEW_ATTACHMENT_MAX_BYTES:
            self.request.__dict__.setdefault("uploads_too_large", set()).add(self.field_name)
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler builds the file


def refuse_oversized_uploads(request) -> None:
    """Raise 400 ``attachment_too_large`` when ``LimitedUploadHandler`` dropped a file of this request (call it after
    the body was parsed; a DRF request is looked through to Django's)."""
    request = getattr(request, "_request", request)
    if request.__dict__.get("uploads_too_large"):
        raise _too_large(settings.REVIEW_ATTACHMENT_MAX_BYTES)
