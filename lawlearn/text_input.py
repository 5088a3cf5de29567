"""Form text as people send it, without the invisible control characters a paste from Word
or a PDF brings along (its manual line break \\x0b, page break \\x0c, cell marks \\x07).
XML cannot hold them: one in an event's title made every DOCX summary of its period a 500.
They are taken out once, where the form is read, so no view, service or export meets them."""

from __future__ import annotations

import re

from flask import Request

# Word's manual line and page breaks read as the line breaks they are.
BREAKS = re.compile("[\x0b\x0c]")
# The rest of C0 but tab, newline and carriage return. Not NUL: a request holding one is
# refused whole (security.refuse_nul_characters), as PostgreSQL cannot store it.
CONTROLS = re.compile("[\x01-\x08\x0e-\x1f]")
ANY = re.compile(f"{BREAKS.pattern}|{CONTROLS.pattern}")


def clean_text(value: str) -> str:
    return CONTROLS.sub("", BREAKS.sub("\n", value))


def xml_safe(value: str) -> str:
    """Text a DOCX can hold, for what reached the database before forms were cleaned (or
    by another way in): control characters out, a break as a space."""
    return CONTROLS.sub("", BREAKS.sub(" ", value.replace("\x00", "")))


def keeps_exact(field: str) -> bool:
    """A password is compared as sent: cleaning it could make two passwords one."""
    return "password" in field


class CleanFormRequest(Request):
    """Flask's request, its form's values cleaned (see the module's docstring)."""

    def _load_form_data(self) -> None:
        super()._load_form_data()
        form = self.__dict__.get("form")
        # Every value of a repeated field (values() gives only the first of each).
        if form is None or not any(ANY.search(value) for _key, value in form.items(multi=True)
                                   if isinstance(value, str)):
            return  # nearly every request: nothing to rebuild
        self.__dict__["form"] = self.parameter_storage_class(
            [(key, value if keeps_exact(key) else clean_text(value))
             for key, value in form.items(multi=True)])
