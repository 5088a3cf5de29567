"""People are listed in pinyin order (陈静 → 罗军 → 孙燕 → 唐亮), as a Chinese spreadsheet
sorts them, not in code-point order, which no reader can follow.

Keys are stored (User.name_key): a change to the readings here, or a pypinyin that reads a
character otherwise, needs a migration that keys every name again, as 7a2c9e4b6d15 did."""

from __future__ import annotations

import os
import re
import unicodedata
from functools import lru_cache

# The phrase dictionary would cost every process that writes a name about 50 MB, and it
# reads words, not names; a name is read a character at a time, surname readings below.
os.environ.setdefault("PYPINYIN_NO_PHRASES", "1")

# Surnames read otherwise than their character's commonest reading (曾国藩 is Zeng, not
# Ceng). Compound surnames first: the longest match wins.
SURNAME_READINGS = {
    "尉迟": ["yu", "chi"], "万俟": ["mo", "qi"], "澹台": ["tan", "tai"], "单于": ["chan", "yu"],
    "曾": ["zeng"], "单": ["shan"], "解": ["xie"], "仇": ["qiu"], "朴": ["piao"],
    "区": ["ou"], "查": ["zha"], "覃": ["qin"], "盖": ["ge"], "缪": ["miao"],
    "种": ["chong"], "员": ["yun"], "召": ["shao"], "乐": ["yue"], "繁": ["po"],
    "翟": ["zhai"], "秘": ["bi"], "折": ["she"], "重": ["chong"], "薄": ["bo"],
    "句": ["gou"], "隗": ["wei"], "都": ["du"], "卜": ["bu"], "阚": ["kan"],
}
# Between syllables: a digit, because it sorts before every letter in every collation,
# where a space is ignored by PostgreSQL's language collations ("li ming" after "lian").
SEPARATOR = "0"
KEY_LENGTH = 512
# What a key keeps of any text: lower-case letters and digits, in words.
_NOT_IN_A_KEY = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=4096)
def name_sort_key(name: str) -> str:
    """The pinyin of ``name`` without tones, syllable by syllable ("chen0jing"); letters and
    digits in a name are kept, lower-case and without accents, word by word ("li0ming" for
    "Li Ming", as for 李明), and anything else (· in 阿依古丽·买买提, spaces) is dropped.
    ü counts as u, as the dictionaries order it (卢 lu, 吕 lü, 栾 luan, 略 lüe, 罗 luo): a
    tie is the caller's to break, by the name."""
    from pypinyin import lazy_pinyin

    name = unicodedata.normalize("NFKC", name).strip()  # full-width Ｌｉ is Li
    surname: list[str] = []
    for length in (2, 1):
        if name[:length] in SURNAME_READINGS:
            surname, name = SURNAME_READINGS[name[:length]], name[length:]
            break
    words: list[str] = []
    for chunk in surname + lazy_pinyin(name, v_to_u=True):
        bare = "".join(c for c in unicodedata.normalize("NFKD", chunk.lower())
                       if not unicodedata.combining(c))  # ü → u, é → e
        words += [word for word in _NOT_IN_A_KEY.split(bare) if word]
    return SEPARATOR.join(words)[:KEY_LENGTH]
