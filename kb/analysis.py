"""The Japanese analyzer: one pipeline for indexing, querying and the chat.

text ─ NFKC + case folding ─ Sudachi (mode C) ─ dates ─ drop particles, auxiliaries, symbols
     ─ normalized forms (+ mode A sub-words inside compounds) ─ domain synonyms ─ terms

Every term keeps the span of the original text it came from (for highlighting) and the index of
the word it belongs to (a "group"), so that ranking can count how many of the words a person
typed an article matches.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import re
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sudachipy import Dictionary, SplitMode

from kb.dates import Piece, match_date
from kb.normalization import has_kanji, hiragana_to_katakana, normalize, normalize_with_offsets

SYNONYMS_PATH = Path(__file__).parent / "synonyms.txt"
COMPOUNDS_PATH = Path(__file__).parent / "compounds.txt"
GLOSSARY_PATH = Path(__file__).parent / "glossary.txt"

# Conjunctions (じゃあ, しかし, ただし) join sentences and name nothing: じゃあ was the term で,
# a word no article explains in a follow-up such as 「じゃあ今はいつまで？」.
DROPPED_POS = {"助詞", "助動詞", "補助記号", "空白", "接続詞"}
NEGATIONS = {"ない", "ぬ", "ず", "ん"}
NEGATION = "ない"
# Honorific prefixes carry no meaning for search; other prefixes change it (被保護者 ≠ 保護者,
# 未委託 ≠ 委託), so those are joined to their noun instead of being dropped.
HONORIFIC_PREFIXES = {"御", "お", "ご"}
DROPPED_SUFFIXES = {"さん", "様", "さま", "等", "達", "たち", "殿", "氏", "ら", "方"}
# Words that appear in almost any question and say nothing about its subject.
STOP_WORDS = {
    "為る", "居る", "有る", "ある", "成る", "なる", "出来る", "事", "こと", "物", "もの", "よう",
    "様", "ため", "為", "其れ", "此れ", "それ", "これ", "教える", "下さる", "頂く", "思う",
    "良い", "いい", "知る", "方", "分かる", "くれる", "貰う", "もらう", "欲しい", "聞く",
    "ください", "おる", "致す", "いたす", "申す", "見る",
    "この", "その", "あの", "どの", "どれ", "こんな", "そんな", "あんな", "どんな",
}  # fmt: skip
# The formulas a polite message is wrapped in (いつもお世話になっております、お忙しいところ
# 恐れ入りますが、すみません、ちょっとお伺いしますが、何卒よろしくお願い申し上げます、ご教示
# いただけますと幸いです) name nothing either. As words of the question they were words no
# article explains, and a clear question wrapped in them was told it is outside the chat's
# subject (tests/test_courtesy.py). すむ is すみません's verb, in kana only: 済む keeps its kanji.
# いつも and 突然 stay words: 「突然表示されなくなった」 asks about the sudden change.
COURTESY_WORDS = {
    "御世話", "世話", "忙しい", "所", "恐れ入る", "恐縮", "申し訳", "申し訳ない", "御座る", "すむ",
    "宜しく", "御願い", "願い", "願う", "申し上げる", "何とぞ", "手数", "教示", "幸い", "失礼",
    "伺う", "お疲れ様", "一寸",
}  # fmt: skip
STOP_WORDS |= COURTESY_WORDS


# English function words say nothing about the subject either (the dictionary turns some of
# them into katakana: what → ホワット); compared with the word as typed, case-folded.
ENGLISH_STOP_WORDS = {
    "a", "an", "the", "is", "are", "was", "be", "do", "does", "did", "can", "could", "will",
    "would", "should", "may", "must", "i", "we", "you", "it", "they", "my", "our", "your",
    "what", "when", "where", "which", "who", "how", "why", "for", "of", "to", "in", "on", "at",
    "by", "with", "from", "and", "or", "if", "this", "that", "there", "please", "about", "any",
    "get", "need", "tell", "me", "us", "there's", "what's", "it's", "find", "know", "want",
    "like", "have", "has", "had", "use", "using", "been", "am", "its", "their", "them", "so",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Term:
    text: str
    start: int  # offsets in the original text
    end: int
    group: int  # index of the word the term was derived from
    synonym: bool = False  # a synonym of the word rather than the word or a part of it


@dataclass(frozen=True, slots=True)
class _Word:
    """A content word after filtering: its normalized form and sub-words."""

    text: str
    start: int
    end: int
    parts: tuple[tuple[str, int, int], ...] = ()


_local = threading.local()


@lru_cache(maxsize=1)
def _dictionary() -> Dictionary:
    return Dictionary(dict="core")


def _tokenizer():
    # A Sudachi tokenizer is not thread-safe; one per thread shares the dictionary.
    tokenizer = getattr(_local, "tokenizer", None)
    if tokenizer is None:
        tokenizer = _local.tokenizer = _dictionary().tokenizer("C")
    return tokenizer


@lru_cache(maxsize=32)
def _normalized(text: str) -> tuple[str, tuple[int, ...]]:
    # A question is normalized for its words, its readings, its spaced kana and its kana runs:
    # once is enough. The offsets are a tuple, so no caller can change what the others get.
    normalized, offsets = normalize_with_offsets(text)
    return normalized, tuple(offsets)


@lru_cache(maxsize=32)
def _tokenized(normalized: str) -> tuple:
    # A question is read twice, for its words and for their readings (kb.homophones): the
    # second reading is free. Morphemes are read-only once made, so threads may share them.
    return tuple(_tokenizer().tokenize(normalized))


# SudachiPy refuses input over 49,149 bytes: a long article is read in pieces well under it,
# cut after a line or a sentence, which no word crosses.
MAX_PIECE_BYTES = 32_000
_PIECE_ENDS = ("\n", "。", "．", "！", "？", " ")


def _pieces(normalized: str) -> list[tuple[int, str]]:
    """(offset, piece) of the normalized text, each piece at most MAX_PIECE_BYTES in UTF-8."""
    if len(normalized) * 4 <= MAX_PIECE_BYTES or len(normalized.encode()) <= MAX_PIECE_BYTES:
        return [(0, normalized)]
    pieces = []
    start = 0
    while start < len(normalized):
        end = start + MAX_PIECE_BYTES // 4  # four bytes a character at most: always fits
        if end >= len(normalized):
            pieces.append((start, normalized[start:]))
            break
        cut = max(normalized.rfind(mark, start, end) for mark in _PIECE_ENDS)
        # A run with no line, sentence or space in 8,000 characters is not prose: cut anywhere.
        end = cut + 1 if cut > start else end
        pieces.append((start, normalized[start:end]))
        start = end
    return pieces


def _words(text: str) -> list[_Word]:
    """Content words of `text` with original offsets; synonyms not applied."""
    normalized, offsets = _normalized(text)
    if not normalized.strip():
        return []
    pieces = _pieces(normalized)
    if len(pieces) == 1:
        return _piece_words(normalized, offsets)
    return [word for start, piece in pieces for word in _piece_words(piece, offsets[start:])]


def _piece_words(normalized: str, offsets: Sequence[int]) -> list[_Word]:
    """`_words` of one piece of normalized text; `offsets` maps its characters to the original."""
    morphemes = _tokenized(normalized)
    # Kanji numerals (十二) arrive as the digits the dictionary normalizes them to (12).
    pieces = [
        Piece(form if (form := m.normalized_form()).isdigit() else m.surface(), m.begin(), m.end())
        for m in morphemes
    ]
    words: list[_Word] = []
    last_word_at = -1  # the morpheme of the last content word, for the negation that follows
    i = 0
    while i < len(morphemes):
        date = match_date(pieces, i)
        if date is not None:
            start, end = offsets[pieces[date.first].start], offsets[pieces[date.last - 1].end]
            # One date is one word: its terms (year, month, day) are alternatives of each other.
            words.append(
                _Word(date.terms[-1], start, end, tuple((t, start, end) for t in date.terms[:-1]))
            )
            i = date.last
            continue
        morpheme = morphemes[i]
        pos = morpheme.part_of_speech()
        form = morpheme.normalized_form().casefold()
        if pos[0] == "接頭辞":
            following = morphemes[i + 1] if i + 1 < len(morphemes) else None
            if (
                form in HONORIFIC_PREFIXES
                or following is None
                or following.part_of_speech()[0] != "名詞"
            ):
                i += 1
                continue
            joined = form + following.normalized_form().casefold()
            words.append(_Word(joined, offsets[morpheme.begin()], offsets[following.end()]))
            i += 2
            continue
        i += 1
        if pos[0] == "助動詞" and form in NEGATIONS:
            # Negation changes the meaning (表示されない ≠ 表示される), so it stays, joined to the
            # word it negates (表示ない): a bare ない would match every negative sentence.
            # Without a content word of its own (見られない, ありません) it says nothing.
            if words and last_word_at >= 0 and _negates(morphemes[last_word_at + 1 : i - 1]):
                negated = words[-1]
                words.append(_Word(negated.text + NEGATION, negated.start, offsets[morpheme.end()]))
                last_word_at = -1
            continue
        if _is_dropped(pos, form, morpheme.surface()) and not _is_main_verb(morphemes, i - 1):
            continue
        parts = (
            _sub_words(morpheme, offsets)
            if pos[0] == "名詞" and len(morpheme.surface()) > 2
            else ()
        )
        words.append(_Word(form, offsets[morpheme.begin()], offsets[morpheme.end()], parts))
        last_word_at = i - 1
    return words


def _negates(between) -> bool:
    """Whether the morphemes between a word and a negation only inflect the word (表示|され|ない,
    登録|さ|れ|て|い|ない), so that the negation is the word's own."""
    for morpheme in between:
        pos = morpheme.part_of_speech()
        if pos[0] == "助動詞" or (pos[0] == "動詞" and pos[1] == "非自立可能"):
            continue
        if pos[:2] == ("助詞", "接続助詞") and morpheme.surface() in ("て", "で"):
            continue
        return False
    return True


def _sub_words(morpheme, offsets: Sequence[int]) -> tuple[tuple[str, int, int], ...]:
    """The shorter words inside a compound, from both the B and the A split (福祉事務所 →
    事務所 from B, 事務 from A), so a partial word finds the compound. One-character pieces
    (所, 金) are left out: they would match almost everything."""
    parts: dict[str, tuple[str, int, int]] = {}
    for mode in (SplitMode.B, SplitMode.A):
        for piece in morpheme.split(mode, add_single=False):
            form = piece.normalized_form().casefold()
            if (
                len(piece.surface()) > 1
                and piece.part_of_speech()[0] not in DROPPED_POS
                and form not in parts
            ):
                parts[form] = (form, offsets[piece.begin()], offsets[piece.end()])
    return tuple(parts.values())


def _is_main_verb(morphemes, i: int) -> bool:
    """A verb the dictionary marks as possibly auxiliary (掛かる) is the question's own verb when
    it follows its subject or object (時間がかかる, 費用はかかりますか), not another verb
    (入れておく, 見てみる)."""
    morpheme = morphemes[i]
    pos = morpheme.part_of_speech()
    if pos[:2] != ("動詞", "非自立可能") or morpheme.normalized_form() in STOP_WORDS:
        return False
    if i == 0:
        return True  # 忘れた: nothing before it to be auxiliary to
    previous = morphemes[i - 1].part_of_speech()
    # 時間かかる: in speech the particle is often left out
    return previous[0] == "名詞" or (
        previous[0] == "助詞" and previous[1] in {"格助詞", "係助詞", "副助詞"}
    )


def _english_function_words(surface: str) -> bool:
    # The dictionary reads some English phrases as one word: "Is it" → イズイット.
    words = surface.casefold().split()
    return bool(words) and all(word in ENGLISH_STOP_WORDS for word in words)


def _is_dropped(pos: tuple[str, ...], form: str, surface: str) -> bool:
    if pos[0] in DROPPED_POS or _english_function_words(surface):
        return True
    if pos[0] == "動詞" and pos[1] == "非自立可能":
        return True
    if pos[0] == "接尾辞" and form in DROPPED_SUFFIXES:
        return True
    if form in STOP_WORDS:
        return True
    return not surface.strip()


class SynonymTable:
    """Groups of phrases that mean the same; each phrase is a sequence of analyzed words."""

    def __init__(self, groups: list[list[str]]):
        self.by_first_word: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        self.groups = groups
        for group in groups:
            canonical = "".join(word.text for word in _content_words(group[0]))
            for phrase in group:
                sequence = tuple(word.text for word in _content_words(phrase))
                if sequence:
                    self.by_first_word.setdefault(sequence[0], []).append((sequence, canonical))
        for candidates in self.by_first_word.values():
            candidates.sort(key=lambda item: -len(item[0]))

    @classmethod
    def from_file(cls, path: Path) -> SynonymTable:
        return cls(parse_synonyms(path.read_text(encoding="utf-8")))

    def matches(self, words: list[_Word], i: int) -> Iterator[tuple[str, int]]:
        """Yield (canonical term, words covered) for every phrase that starts at word i."""
        seen: set[str] = set()
        for sequence, canonical in self.by_first_word.get(words[i].text, ()):
            length = len(sequence)
            if (
                tuple(word.text for word in words[i : i + length]) == sequence
                and canonical not in seen
            ):
                seen.add(canonical)
                yield canonical, length


class CompoundTable:
    """Domain words that stay one word (照会番号): their parts are still indexed, but a part on
    its own does not set off a synonym (照会 → 問い合わせ)."""

    def __init__(self, compounds: list[str]):
        self.by_first_word: dict[str, list[tuple[str, ...]]] = {}
        for compound in compounds:
            sequence = tuple(word.text for word in _words(compound))
            if len(sequence) > 1:
                self.by_first_word.setdefault(sequence[0], []).append(sequence)
        for candidates in self.by_first_word.values():
            candidates.sort(key=len, reverse=True)

    def merge(self, words: list[_Word]) -> list[_Word]:
        if not self.by_first_word:
            return words
        merged: list[_Word] = []
        i = 0
        while i < len(words):
            for sequence in self.by_first_word.get(words[i].text, ()):
                covered = words[i : i + len(sequence)]
                if tuple(word.text for word in covered) == sequence:
                    parts = tuple((w.text, w.start, w.end) for w in covered if len(w.text) > 1)
                    merged.append(
                        _Word("".join(sequence), covered[0].start, covered[-1].end, parts)
                    )
                    i += len(sequence)
                    break
            else:
                merged.append(words[i])
                i += 1
        return merged


@lru_cache(maxsize=1)
def compound_table() -> CompoundTable:
    lines = COMPOUNDS_PATH.read_text(encoding="utf-8").splitlines()
    return CompoundTable(
        [line.split("#", 1)[0].strip() for line in lines if line.split("#", 1)[0].strip()]
    )


def _content_words(text: str) -> list[_Word]:
    return compound_table().merge(_words(text))


def parse_synonyms(text: str) -> list[list[str]]:
    groups = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        phrases = [phrase.strip() for phrase in re.split(r"[,、，]", line) if phrase.strip()]
        if len(phrases) >= 2:
            groups.append(phrases)
    return groups


_synonyms_path = SYNONYMS_PATH


def use_synonyms(path: Path) -> None:
    """Read the synonyms from `path` from now on (the app's `synonyms_file` setting).

    Process-wide, like the analyzer itself: an app sets it once at start, before it indexes.
    """
    global _synonyms_path
    if Path(path) != _synonyms_path:
        _synonyms_path = Path(path)
        synonym_table.cache_clear()


def synonyms_path() -> Path:
    """The synonyms file in use (`use_synonyms`), for a worker process to use the same."""
    return _synonyms_path


@lru_cache(maxsize=1)
def synonym_table() -> SynonymTable:
    """The synonyms and the English glossary, one table: an English phrase is one more way to
    say the articles' word."""
    groups = parse_synonyms(_synonyms_path.read_text(encoding="utf-8"))
    groups += parse_synonyms(GLOSSARY_PATH.read_text(encoding="utf-8"))
    return SynonymTable(groups)


def analyze(text: str, synonyms: SynonymTable | None = None) -> list[Term]:
    """The terms of `text`, in order, each with its original span and word group."""
    table = synonym_table() if synonyms is None else synonyms
    words = _content_words(text)
    terms: list[Term] = []
    # A phrase synonym (オン資 = オン + 資) makes its words one word of the question, so that its
    # pieces do not count again as words of their own.
    group_of = list(range(len(words)))
    for i, word in enumerate(words):
        group = group_of[i]
        seen = {word.text}
        terms.append(Term(word.text, word.start, word.end, group))
        for part, start, end in word.parts:
            if part not in seen:
                seen.add(part)
                terms.append(Term(part, start, end, group))
        for canonical, length in table.matches(words, i):
            for covered in range(i + 1, i + length):
                group_of[covered] = group
            if canonical not in seen:
                seen.add(canonical)
                terms.append(
                    Term(canonical, word.start, words[i + length - 1].end, group, synonym=True)
                )
    return terms


def term_texts(text: str) -> list[str]:
    return [term.text for term in analyze(text)]


# Kana: a question typed without kanji (ほうもんしんりょう, half-width ﾚｾｺﾝ ｶｲｼｭｳ from old reception
# PCs) is cut into nonsense by the dictionary, so it is matched on the reading instead: every
# indexed word's katakana reading, as character bigrams. In a question with kanji the kana are
# particles and endings, already analyzed as words.
_KANA_RUN = re.compile(r"[ぁ-ゖァ-ヺー]{3,}")


# Runs of the characters a Japanese word is written with (kanji, kana, ー), after normalization.
_JAPANESE_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fffぁ-ゖァ-ヺー々〆]+")


def character_bigrams(text: str) -> list[str]:
    """Overlapping character bigrams of the Japanese runs of the normalized text: the view of
    the text that survives a mistyped kanji (申請機関 still shares 申請 with 申請期間)."""
    normalized = normalize(text)
    return [
        run[i : i + 2] for run in _JAPANESE_RUN.findall(normalized) for i in range(len(run) - 1)
    ]


def reading_bigrams(text: str) -> list[str]:
    """Bigrams of the katakana readings of the text's content words (for the index)."""
    normalized, _ = _normalized(text)
    bigrams: list[str] = []
    run: list[str] = []
    every = (m for _, piece in _pieces(normalized) for m in _tokenizer().tokenize(piece))
    for morpheme in every:
        pos = morpheme.part_of_speech()
        reading = morpheme.reading_form()
        if pos[0] in DROPPED_POS or pos[1] == "数詞" or not reading or reading == "キゴウ":
            bigrams.extend(_bigrams("".join(run)))
            run = []
            continue
        run.append(reading)
    bigrams.extend(_bigrams("".join(run)))
    return bigrams


@dataclass(frozen=True, slots=True)
class Morpheme:
    """One morpheme of a text as the dictionary reads it, offsets in the original text."""

    form: str  # normalized form, case-folded, as the index's terms are
    reading: str  # katakana
    start: int
    end: int
    noun_like: bool  # a noun, or a prefix or suffix that joins one


def morphemes(text: str) -> list[Morpheme]:
    """Every morpheme of `text` with its reading (for reading a mistyped kanji, kb.homophones)."""
    normalized, offsets = _normalized(text)
    return [
        Morpheme(
            m.normalized_form().casefold(),
            m.reading_form(),
            offsets[start + m.begin()],
            offsets[start + m.end()],
            m.part_of_speech()[0] in {"名詞", "接頭辞", "接尾辞"},
        )
        for start, piece in _pieces(normalized)
        for m in _tokenized(piece)
    ]


THING = "thing"  # a noun that names something: インボイス, 義務, 制度, PC
ACTION = "action"  # a verbal noun (サ変可能): 用意, 意味, 申請, 導入
OTHER = "other"  # a verb, adjective, adverb, pronoun or adverbial noun: 来る, 重い, まだ, 誰, 今


@lru_cache(maxsize=4096)
def word_kind(word: str) -> str:
    """What the analyzed term `word` says: THING (what a question is about), ACTION (what is
    done) or OTHER (how, when, who: no subject of its own)."""
    morphemes = list(_tokenizer().tokenize(word)) if word else []
    # A prefix or suffix joined to a noun (再請求, 未登録, 受給者) leaves it a noun.
    nouns = [m for m in morphemes if m.part_of_speech()[0] not in ("接頭辞", "接尾辞")]
    if not nouns or any(m.part_of_speech()[0] != "名詞" for m in nouns):
        return OTHER
    kinds = {m.part_of_speech()[2] for m in nouns}
    if "副詞可能" in kinds:
        return OTHER
    return ACTION if "サ変可能" in kinds else THING


def names_a_thing(word: str) -> bool:
    """Whether the analyzed term `word` is a noun that names something (インボイス, 義務, 制度,
    PC), rather than a verb, an adjective, an adverb, a pronoun, an adverbial noun or a verbal
    noun (来る, 重い, まだ, どこ, 今, 用意), which say how, when or what is done. What a question
    is about is in its things."""
    return word_kind(word) == THING


def ends_in_a_name(text: str) -> bool:
    """Whether `text` ends with a person's name written in kanji (「担当の山田」, 「〇〇クリニックの
    佐藤」). A name in kana is not trusted: the dictionary tags マイナ as a name too."""
    pieces = _tokenized(normalize(text)) if text else ()
    if not pieces:
        return False
    name = pieces[-1]
    return name.part_of_speech()[:3] == ("名詞", "固有名詞", "人名") and has_kanji(name.surface())


def reading(word: str) -> str:
    """The katakana reading of `word`, its morphemes' readings joined."""
    return "".join(m.reading_form() for m in _tokenizer().tokenize(normalize(word)))


def known_word(word: str) -> bool:
    """Whether the dictionary knows `word` as one word of its own (not an unknown run)."""
    morphemes = list(_tokenizer().tokenize(word))
    return len(morphemes) == 1 and not morphemes[0].is_oov()


# In a question with kanji, a hiragana word set apart by spaces (補助金 しょるい) was typed as
# a word the person could not convert; the dictionary's guess at it is noise.
_SPACED_HIRAGANA = re.compile(r"(?:(?<=\s)|^)[ぁ-ゖー]{3,}(?=\s|$)")


def spaced_kana_words(text: str) -> list[tuple[int, int, list[list[str]]]]:
    """For a question with kanji: each hiragana word of three or more kana set apart by spaces,
    as (start, end, ways of reading it) with offsets in `text`, as terms have them."""
    normalized, offsets = _normalized(text)
    if not has_kanji(normalized):
        return []
    words = []
    for match in _SPACED_HIRAGANA.finditer(normalized):
        readings = [p for p in _kana_words(match.group()) if len(set(p)) >= 3]
        if readings:
            words.append(
                (
                    offsets[match.start()],
                    offsets[match.end()],
                    [_bigrams(hiragana_to_katakana(piece)) for piece in readings],
                )
            )
    return words


def kana_only_reading_runs(text: str) -> list[list[list[str]]]:
    """For a question written without kanji, its kana runs, each as its ways of reading: the
    whole run, then its pieces between particles; each way a list of reading bigrams. None for
    any other question."""
    normalized, _ = _normalized(text)
    if has_kanji(normalized):
        return []
    runs = []
    for run in _KANA_RUN.findall(normalized):
        # A run of one or two repeated characters (ああああ, ーーー) is not a word.
        readings = [piece for piece in _kana_words(run) if len(set(piece)) >= 3]
        if readings:
            runs.append([_bigrams(hiragana_to_katakana(piece)) for piece in readings])
    return runs


# A sentence typed all in hiragana (ようひいけんしょはかみのまま) is one run; the dictionary cannot
# segment it reliably, but a particle after a word of three kana or more most likely ends it.
_PARTICLE_AFTER_WORD = re.compile(r"(?<=[ぁ-ゖァ-ヺー]{3})[はがをにでのもへとや]")


def _kana_words(run: str) -> list[str]:
    """The run itself and, when it looks like a sentence, its pieces between particles."""
    pieces = [piece for piece in _PARTICLE_AFTER_WORD.split(run) if len(piece) >= 3]
    return [run] + [piece for piece in pieces if piece != run]


def _bigrams(text: str) -> list[str]:
    return [text[i : i + 2] for i in range(len(text) - 1)]


def analyzer_fingerprint() -> str:
    """Changes whenever the analysis could produce different terms: code, dictionary, synonyms."""
    digest = hashlib.sha256()
    here = Path(__file__).parent
    for name in (
        "analysis.py",
        "dates.py",
        "normalization.py",
        "text.py",
        "compounds.txt",
        "glossary.txt",
    ):
        digest.update((here / name).read_bytes())
    digest.update(_synonyms_path.read_bytes())
    for package in ("SudachiPy", "SudachiDict-core"):
        try:
            digest.update(importlib.metadata.version(package).encode())
        except importlib.metadata.PackageNotFoundError:
            digest.update(package.encode())
    return digest.hexdigest()
