"""Which language a text is in, from its most common short words: no model, no I/O.

Enough to tell whether a reply answers in the customer's language; a text with too
few telling words is `None` (unknown), and an unknown language never fails a check
on its own.
"""

import re

COMMON_WORDS: dict[str, frozenset[str]] = {
    lang: frozenset(words.split())
    for lang, words in {
        "en": "the and you your is are to of for in it we can how what do does this that with "
        "not have my our be on will please thanks hi hello a an i me us get was were there "
        "here if or at by from any all no yes when where which why per",
        "de": "der die das und ich sie wir ist nicht ein eine wie kann mein meine unser ihr ihre "
        "mit für auf zu den dem des hallo danke bitte können haben sie es",
        "es": "el la los las y de que en un una es por para con mi mis nuestra nuestro cómo "
        "puedo hola gracias su sus se lo del al",
        "fr": "le la les et de des un une est je vous nous pour dans pas mon ma mes notre "
        "comment bonjour merci votre vos que qui sur avec",
        "it": "il lo la gli le e di che un una è per non mio mia nostro nostra come ciao "
        "grazie posso con del della sono",
        "nl": "de het een en van ik je jij u wij we is niet voor op met hoe kan mijn onze "
        "hallo bedankt dank",
        "pt": "o a os as e de que em um uma é para com não meu minha nosso nossa como olá "
        "obrigado posso do da",
    }.items()
}
WORD = re.compile(r"[^\W\d_]+", re.U)
MIN_HITS = 2


def detect(text: str) -> str | None:
    """ISO 639-1 code of the best-scoring language, or None when nothing stands out."""
    words = [w.lower() for w in WORD.findall(text)]
    scores = {lang: sum(w in common for w in words) for lang, common in COMMON_WORDS.items()}
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    (best, top), (_, second) = ranked[0], ranked[1]
    if top < MIN_HITS or top == second:
        return None
    return best
