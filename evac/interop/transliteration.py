"""Latin transliteration of Cyrillic names, by the Ukrainian national system (Cabinet of
Ministers resolution 55 of 2010), which Ukrainian passports use. Russian-only letters get
their common passport forms, so a Russian-spelt name still comes out readable."""

from __future__ import annotations

# (letter at the start of a word, letter elsewhere)
_UK = {
    "а": ("a", "a"), "б": ("b", "b"), "в": ("v", "v"), "г": ("h", "h"), "ґ": ("g", "g"),
    "д": ("d", "d"), "е": ("e", "e"), "є": ("ye", "ie"), "ж": ("zh", "zh"), "з": ("z", "z"),
    "и": ("y", "y"), "і": ("i", "i"), "ї": ("yi", "i"), "й": ("y", "i"), "к": ("k", "k"),
    "л": ("l", "l"), "м": ("m", "m"), "н": ("n", "n"), "о": ("o", "o"), "п": ("p", "p"),
    "р": ("r", "r"), "с": ("s", "s"), "т": ("t", "t"), "у": ("u", "u"), "ф": ("f", "f"),
    "х": ("kh", "kh"), "ц": ("ts", "ts"), "ч": ("ch", "ch"), "ш": ("sh", "sh"),
    "щ": ("shch", "shch"), "ь": ("", ""), "ю": ("yu", "iu"), "я": ("ya", "ia"),
    "'": ("", ""), "’": ("", ""), "ʼ": ("", ""),
    # Russian letters
    "ё": ("yo", "io"), "ъ": ("", ""), "ы": ("y", "y"), "э": ("e", "e"),
}  # fmt: skip


def to_latin(text: str) -> str:
    """`Шевченко Зґлав` -> `Shevchenko Zglav`; Latin text passes unchanged."""
    out: list[str] = []
    lower = text.lower()
    for i, ch in enumerate(lower):
        if ch not in _UK:
            out.append(text[i])
            continue
        at_start = i == 0 or not lower[i - 1].isalpha() and lower[i - 1] not in "'’ʼ"
        # "зг" is written "zgh" so that it is not read as the letter "ж".
        if ch == "г" and i > 0 and lower[i - 1] == "з":
            latin = "gh"
        else:
            latin = _UK[ch][0 if at_start else 1]
        if text[i].isupper() and latin:
            upper_next = i + 1 < len(text) and text[i + 1].isupper()
            latin = latin.upper() if upper_next else latin[0].upper() + latin[1:]
        out.append(latin)
    return "".join(out)


def has_cyrillic(text: str) -> bool:
    return any("\u0400" <= ch <= "\u04ff" for ch in text)
