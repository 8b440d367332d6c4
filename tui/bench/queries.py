"""The fixed query set of the search benchmark: typed one character at a time."""

QUERIES: list[str] = [
    # surnames
    "Liu",
    "Schmidhuber",
    "Hinton",
    "Müller",
    "Nguyen",
    # full names
    "Yang Liu",
    "Jürgen Schmidhuber",
    "Geoffrey Hinton",
    "Yoshua Bengio",
    "Michael I. Jordan",
    "Wei Wang",
    # initial and surname
    "J. Schmidhuber",
    "Y Liu",
    "G. E. Hinton",
    "M. Jordan",
    # reversed word order
    "Liu Yang",
    "Schmidhuber Jürgen",
    "Bengio Yoshua",
    "Wang Wei",
    # accented and unaccented
    "José García",
    "Jose Garcia",
    "Muller",
    "François Fleuret",
    "Francois Fleuret",
    "Ralf Möller",
    # CJK
    "王伟",
    "李明",
    "山田",
    # short prefixes
    "l",
    "zh",
    "sch",
    # typos
    "Schmidhubr",
    "Yagn Liu",
    "Geoffery Hinton",
    "Yoshua Bengoi",
    "Jurgen Schmidhueber",
]
