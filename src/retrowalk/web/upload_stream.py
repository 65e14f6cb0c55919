"""Receiving a recording upload: the multipart body streamed straight into place.

The upload routes take no form parameters, so FastAPI reads no body before the
route's dependencies have authenticated the request. The route then calls
:func:`receive_upload`, which parses ``multipart/form-data`` as it arrives
(python-multipart's streaming parser): small text fields are kept in memory
(a few KB at most), the one file part is written to its own temp file in the
data directory through :class:`~retrowalk.app.uploads.IncomingFile`, hashed and
counted on the way, and refused with 413 the moment it passes the upload limit.
Nothing is spooled anywhere else.

A page upload must prove its CSRF token before the file part starts: in the
``X-CSRF-Token`` header or in a ``csrf_token`` field placed before the file
(as the upload form does).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import anyio.to_thread
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from retrowalk.app.services import Services
from retrowalk.app.uploads import IncomingFile
from retrowalk.core.errors import InputError
from retrowalk.web.deps import CsrfError
from retrowalk.web.session import CSRF_FIELD, csrf_ok

MAX_FIELD_BYTES = 4096
MAX_FIELDS = 20
# File bytes gathered before one write (in a worker thread, off the event loop).
WRITE_BATCH_BYTES = 1 << 20


@dataclass
class ReceivedUpload:
    """The text fields and the received file of an upload form."""

    fields: dict[str, str] = field(default_factory=dict)
    file: IncomingFile | None = None

    def get(self, name: str, default: str = "") -> str:
        return self.fields.get(name, default)


class _Receiver:
    """Callbacks of the streaming multipart parser (see the module docstring)."""

    def __init__(
        self,
        start_file: Callable[[str], IncomingFile],
        file_field: str,
        check_csrf: Callable[[str | None], bool] | None,
    ) -> None:
        self.start_file = start_file
        self.file_field = file_field
        self.check_csrf = check_csrf
        self.out = ReceivedUpload()
        self.pending: list[bytes] = []
        self.pending_bytes = 0
        self._header_name = b""
        self._header_value = b""
        self._disposition = b""
        self._name = ""
        self._filename: str | None = None
        self._value = bytearray()
        self._in_file = False

    # -- parser callbacks (synchronous, no I/O) ----------------------------------------
    def on_part_begin(self) -> None:
        self._disposition = b""
        self._name = ""
        self._filename = None
        self._value = bytearray()
        self._in_file = False

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        if self._header_name.lower() == b"content-disposition":
            self._disposition = self._header_value
        self._header_name = b""
        self._header_value = b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._disposition)
        self._name = options.get(b"name", b"").decode("utf-8", "replace")
        filename = options.get(b"filename")
        if filename is None:
            if len(self.out.fields) >= MAX_FIELDS:
                raise InputError("form", f"more than {MAX_FIELDS} fields")
            return
        if self._name != self.file_field or self.out.file is not None:
            raise InputError("form", f"send one file, in the field '{self.file_field}'")
        if self.check_csrf is not None and not self.check_csrf(self.out.fields.get(CSRF_FIELD)):
            raise CsrfError()
        self.out.file = self.start_file(filename.decode("utf-8", "replace"))
        self._in_file = True

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._in_file:
            self.pending.append(data[start:end])
            self.pending_bytes += end - start
            return
        if len(self._value) + (end - start) > MAX_FIELD_BYTES:
            raise InputError(self._name or "form", f"field longer than {MAX_FIELD_BYTES} bytes")
        self._value += data[start:end]

    def on_part_end(self) -> None:
        if not self._in_file:
            self.out.fields[self._name] = self._value.decode("utf-8", "replace")

    # -- file bytes --------------------------------------------------------------------
    async def flush(self, force: bool = False) -> None:
        if not self.pending or (not force and self.pending_bytes < WRITE_BATCH_BYTES):
            return
        data = b"".join(self.pending)
        self.pending.clear()
        self.pending_bytes = 0
        assert self.out.file is not None
        await anyio.to_thread.run_sync(self.out.file.write, data)


async def receive_upload(
    request: Request,
    services: Services,
    account_id: int,
    person_id: int,
    *,
    file_field: str = "file",
    page: bool = False,
) -> ReceivedUpload:
    """Stream an authenticated upload form into a temp file (see the module docstring).

    Parameters
    ----------
    request
        The request; its body has not been read yet.
    services, account_id, person_id
        Where the file goes (the person is checked before the body is read).
    file_field
        Name of the file field.
    page
        A page upload: the CSRF token must come before the file.

    Raises
    ------
    InputError
        When the body is not a multipart form with one file.
    TooLargeError
        As soon as the file passes the upload limit.
    CsrfError
        For a page upload without the session's CSRF token.
    """
    content_type, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise InputError("form", "send the file as multipart/form-data")
    header_token = request.headers.get("x-csrf-token")
    check = None
    if page:
        if header_token is not None and not csrf_ok(request, header_token):
            raise CsrfError()
        if header_token is None:

            def check(value: str | None) -> bool:
                return csrf_ok(request, value)

    def start_file(filename: str) -> IncomingFile:
        return IncomingFile(services.data_dir / "tmp", filename, services.max_upload_bytes)

    # The person is checked (and a missing one refused) before any body byte is read.
    await anyio.to_thread.run_sync(services.get_person, account_id, person_id)
    receiver = _Receiver(start_file, file_field, check)
    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": receiver.on_part_begin,
            "on_part_data": receiver.on_part_data,
            "on_part_end": receiver.on_part_end,
            "on_header_field": receiver.on_header_field,
            "on_header_value": receiver.on_header_value,
            "on_header_end": receiver.on_header_end,
            "on_headers_finished": receiver.on_headers_finished,
        },
    )
    try:
        async for chunk in request.stream():
            parser.write(chunk)
            await receiver.flush()
        parser.finalize()
        await receiver.flush(force=True)
    except MultipartParseError:
        if receiver.out.file is not None:
            receiver.out.file.discard()
        raise InputError("form", "the multipart form data is malformed") from None
    except BaseException:
        if receiver.out.file is not None:
            receiver.out.file.discard()
        raise
    if receiver.out.file is None:
        raise InputError("file", "choose a recording file to upload")
    return receiver.out
