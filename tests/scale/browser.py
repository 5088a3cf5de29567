"""A browser enough for the site's forms, for the live-server tests."""

from __future__ import annotations

import re
import uuid
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from tests.scale.live import PASSWORD, Reply, call

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


class Browser:
    """Enough of a browser for the site's forms: its cookies go to every server of the site
    (one host name behind the proxy), forms carry the page's CSRF token."""

    def __init__(self, user_agent: str = "Mozilla/5.0 (scale test)") -> None:
        self.cookies: dict[str, str] = {}
        self.user_agent = user_agent

    def request(self, port: int, method: str, path: str, *, form: dict | None = None,
                files: dict[str, tuple[str, bytes, str]] | None = None) -> Reply:
        headers = {"User-Agent": self.user_agent}
        raw = None
        if files is not None:
            raw, headers["Content-Type"] = multipart(form or {}, files)
        elif form is not None:
            raw = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        reply = call(port, method, path, headers=headers, raw=raw)
        for header in reply.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                self.cookies[name] = morsel.value
        return reply

    def csrf(self, port: int, path: str) -> str:
        match = CSRF_META.search(self.request(port, "GET", path).text)
        assert match, f"{path} has no CSRF token"
        return match.group(1)

    def login(self, port: int, username: str, password: str = PASSWORD) -> Reply:
        token = self.csrf(port, "/login")
        reply = self.request(port, "POST", "/login", form={
            "username": username, "password": password, "csrf_token": token})
        assert reply.status == 302, (username, reply.status, reply.text[:300])
        return reply


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]
              ) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
             f"{value}\r\n".encode() for name, value in fields.items()]
    for name, (filename, data, content_type) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                     f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
                     + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"
