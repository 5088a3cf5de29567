"""People are listed in pinyin order (陈静 → 罗军 → 孙燕 → 唐亮), as a Chinese spreadsheet
sorts them, not in code-point order, which no reader can follow."""

from __future__ import annotations

import os
from functools import lru_cache

# The phrase dictionary would cost every process that writes a name about 50 MB, and it
# reads words, not names; a name is read a character at a time, surname readings below.
os.environ.setdefault("PYPINYIN_NO_PHRASES", "1")

# Surnames read otherwise than their character's commonest reading (曾国藩 is Zeng, not
# Ceng). Compound surnames first: the longest match wins.
SURNAME_READINGS = {
    "尉迟": ["yu", "chi"],
    "曾": ["zeng"], "单": ["shan"], "解": ["xie"], "仇": ["qiu"], "朴": ["piao"],
    "区": ["ou"], "查": ["zha"], "覃": ["qin"], "盖": ["ge"], "缪": ["miao"],
    "种": ["chong"], "员": ["yun"], "召": ["shao"], "乐": ["yue"], "繁": ["po"],
    "翟": ["zhai"], "秘": ["bi"], "折": ["she"], "重": ["chong"], "薄": ["bo"],
    "句": ["gou"], "隗": ["wei"], "都": ["du"],
}
# Between syllables: a digit, because it sorts before every letter in every collation,
# where a space is ignored by PostgreSQL's language collations ("li ming" after "lian").
SEPARATOR = "0"
KEY_LENGTH = 512


@lru_cache(maxsize=4096)
def name_sort_key(name: str) -> str:
    """The pinyin of ``name`` without tones, lower case, syllable by syllable ("chen0jing");
    letters and digits in a name are kept as they are, lower-cased. ü counts as u, as the
    dictionaries order it (卢 lu, 吕 lü, 栾 luan, 略 lüe, 罗 luo): a tie is the caller's to
    break, by the name."""
    from pypinyin import lazy_pinyin

    name = name.strip()
    surname: list[str] = []
    for length in (2, 1):
        if name[:length] in SURNAME_READINGS:
            surname, name = SURNAME_READINGS[name[:length]], name[length:]
            break
    syllables = surname + lazy_pinyin(name, v_to_u=True)
    key = SEPARATOR.join(s.strip().lower() for s in syllables if s.strip())
    return key.replace("ü", "u")[:KEY_LENGTH]
