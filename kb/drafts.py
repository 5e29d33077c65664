"""Drafts of articles, checked and published as files: what the console's editor stands on.

- `check_draft`: the draft's `kb check` problems and where its queries rank it, among the other
  articles of the folder, without touching the folder (a temporary copy is checked);
- `publish`: the draft written into the articles folder atomically (a temporary file renamed
  over the old one), refused when the file changed on disk since the draft began, and in a Git
  working tree committed with the editor as author;
- `retire`: the file moved to `retired/` (out of the index) with its successor noted;
- `retired_article`: what the site says at a retired article's URL.

Publishing does not rebuild the index: the caller refreshes the KnowledgeBase, and every worker
switches to the new generation within its check interval (kb.library).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from kb.articles import ID_PATTERN, Article, load_articles
from kb.check import QueryRank, emphasis_problems, query_ranks, review_interval_problems
from kb.index import memory_index
from kb.problems import Problem
from kb.schema import split_front_matter
from kb.search import SearchEngine

log = logging.getLogger(__name__)

RETIRED_DIR = "retired"
LOCK_FILE = ".publish.lock"
GIT_TIMEOUT_SECONDS = 20


class Conflict(Exception):
    """The file on disk is not the one the draft began from (someone else published since)."""


class Retired(Exception):
    """The article was retired: a draft of it is never published over the retirement."""


class Refused(Exception):
    """The draft has problems; `problems` lists them as `kb check` reports them."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


@dataclass(slots=True)
class DraftCheck:
    article: Article | None  # None when the draft does not load (see problems)
    problems: list[Problem] = field(default_factory=list)
    ranks: list[QueryRank] = field(default_factory=list)
    engine: SearchEngine | None = None  # the articles with the draft among them

    @property
    def ok(self) -> bool:
        return self.article is not None and not self.problems and all(r.ok for r in self.ranks)


@dataclass(frozen=True, slots=True)
class Published:
    path: Path
    sha256: str
    commit: str | None  # the Git commit, when the folder is in a Git working tree


@dataclass(frozen=True, slots=True)
class RetiredArticle:
    id: str
    title: str
    replaced_by: str | None


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def file_sha256(path: Path) -> str:
    """The hash of the file's bytes, '' when there is no file."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return ""


def check_draft(
    text: str,
    article_id: str,
    articles_dir: Path,
    sources_dir: Path,
    review_interval_days: int | None = None,
) -> DraftCheck:
    """What `kb check` would report for the folder with this draft as `<article_id>.md`: the
    problems of that file (lines of the draft's text) and where its queries rank it."""
    with tempfile.TemporaryDirectory(prefix="kb-draft-") as work:
        folder = Path(work)
        for path in Path(articles_dir).glob("*.md"):
            if path.stem != article_id:
                shutil.copyfile(path, folder / path.name)
        draft = folder / f"{article_id}.md"
        draft.write_text(text, encoding="utf-8")
        loaded = load_articles(folder, sources_dir)
        problems = [p for p in loaded.problems if Path(p.path).name == draft.name]
        article = loaded.articles.get(article_id)
        if article is None:
            return DraftCheck(None, sorted(problems))
        problems.extend(emphasis_problems(article))
        if review_interval_days is not None:
            problems.extend(review_interval_problems([article], review_interval_days))
        engine = SearchEngine(memory_index(loaded.articles))
        ranks = query_ranks(article, engine)
        return DraftCheck(article, sorted(problems), ranks, engine)


def check_retirement(article_id: str, articles_dir: Path, sources_dir: Path) -> list[Problem]:
    """The problems the folder would have without the article (links and `related` that
    point at it): a retirement that leaves any would keep the index from being updated."""
    with tempfile.TemporaryDirectory(prefix="kb-retire-") as work:
        folder = Path(work)
        for path in Path(articles_dir).glob("*.md"):
            if path.stem != article_id:
                shutil.copyfile(path, folder / path.name)
        problems = load_articles(folder, sources_dir).problems
    # Named by the real files, so the editor knows which to fix.
    return sorted(
        Problem(Path(articles_dir) / Path(p.path).name, p.line, p.message) for p in problems
    )


def rank_problems(check: DraftCheck, top_n: int) -> list[Problem]:
    """The queries that miss the top `top_n`, as `kb check` words them."""
    problems = []
    for rank in check.ranks:
        if not rank.ok:
            where = f"{rank.rank}位" if rank.rank else "圏外"
            problems.append(
                Problem(
                    check.article.path if check.article else Path(),
                    rank.line,
                    f"「{rank.query}」で検索するとこの記事が上位{top_n}件に入りません（{where}）",
                )
            )
    return problems


@contextlib.contextmanager
def publishing(lock_path: Path) -> Iterator[None]:
    """Held while a file is written and committed: one publication at a time per machine."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def publish(
    text: str,
    article_id: str,
    articles_dir: Path,
    base_sha256: str,
    author: str,
    message: str,
    lock_path: Path,
) -> Published:
    """Write `text` as `<articles_dir>/<article_id>.md`. Raises Conflict when the file's hash is
    no longer `base_sha256` ('' = the file must not exist yet), Retired when the article was
    retired (an article is never both live and retired)."""
    path = Path(articles_dir) / f"{article_id}.md"
    with publishing(lock_path):
        if not path.exists() and retired_article(articles_dir, article_id) is not None:
            raise Retired(article_id)
        if file_sha256(path) != base_sha256:
            raise Conflict(article_id)
        _record_hand_edits(path.parent, [path])
        _write_atomically(path, text)
        commit = _commit(path.parent, [path], author, message)
    return Published(path, file_sha256(path), commit)


def retire(
    article_id: str,
    articles_dir: Path,
    base_sha256: str,
    replaced_by: str | None,
    author: str,
    message: str,
    lock_path: Path,
) -> Published:
    """Move the article's file to `retired/`, noting its successor; Conflict as `publish`."""
    path = Path(articles_dir) / f"{article_id}.md"
    target = Path(articles_dir) / RETIRED_DIR / f"{article_id}.md"
    with publishing(lock_path):
        if not base_sha256 or file_sha256(path) != base_sha256:
            raise Conflict(article_id)
        _record_hand_edits(path.parent, [path])
        text = path.read_text(encoding="utf-8")
        target.parent.mkdir(exist_ok=True)
        _write_atomically(target, _with_successor(text, replaced_by))
        path.unlink()
        commit = _commit(path.parent, [path, target], author, message)
    return Published(target, file_sha256(target), commit)


def retired_article(articles_dir: Path, article_id: str) -> RetiredArticle | None:
    """The retired article of this id (its file in `retired/`), or None."""
    if not ID_PATTERN.match(article_id):
        return None
    path = Path(articles_dir) / RETIRED_DIR / f"{article_id}.md"
    try:
        text = path.read_text(encoding="utf-8")
    except (FileNotFoundError, UnicodeDecodeError):
        return None
    split, _ = split_front_matter(text, path)
    try:
        front = yaml.safe_load(split.front) if split else None
    except yaml.YAMLError:
        front = None
    if not isinstance(front, dict):
        return RetiredArticle(article_id, article_id, None)
    successor = front.get("replaced_by")
    return RetiredArticle(
        article_id, str(front.get("title") or article_id), str(successor) if successor else None
    )


def _with_successor(text: str, replaced_by: str | None) -> str:
    if not replaced_by:
        return text
    lines = text.split("\n")
    closing = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    lines.insert(closing, f"replaced_by: {replaced_by}")
    return "\n".join(lines)


def _write_atomically(path: Path, text: str) -> None:
    # A reader (another worker's reindex, git) sees the old file or the new one, never half.
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def _git(folder: Path, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["git", "-C", str(folder), *arguments],
        capture_output=True,
        text=True,
        timeout=GIT_TIMEOUT_SECONDS,
        check=False,
    )


# Whoever edited a file outside the console is not known: their change is committed apart,
# so that the console's commit credits the editor with their own change only.
UNATTRIBUTED = "unattributed@helpdesk.invalid"
UNATTRIBUTED_MESSAGE = (
    "管理画面の外で変更された記事のファイル（管理画面で公開する前に記録。書いた人は不明）"
)


def _record_hand_edits(folder: Path, paths: list[Path]) -> None:
    """Commit what is uncommitted in `paths` before the console writes over them."""
    if shutil.which("git") is None:
        return
    try:
        relative = [os.path.relpath(path, folder) for path in paths if path.exists()]
        if not relative:
            return
        changed = _git(folder, "status", "--porcelain", "--", *relative)
        if changed.returncode != 0 or not changed.stdout.strip():
            return  # not a Git working tree, or nothing uncommitted
    except (OSError, subprocess.TimeoutExpired):
        return
    _commit(folder, [folder / name for name in relative], UNATTRIBUTED, UNATTRIBUTED_MESSAGE)


def _commit(folder: Path, paths: list[Path], author: str, message: str) -> str | None:
    """Commit `paths` with `author` (an e-mail) as author, when `folder` is in a Git working
    tree; None otherwise or when Git fails (the file is published either way, and logged)."""
    if shutil.which("git") is None:
        return None
    try:
        inside = _git(folder, "rev-parse", "--is-inside-work-tree")
        if inside.returncode != 0 or inside.stdout.strip() != "true":
            return None
        name = author.split("@", 1)[0]
        relative = [os.path.relpath(path, folder) for path in paths]
        _git(folder, "add", "--all", "--", *relative)
        identity = ["-c", f"user.name={name}", "-c", f"user.email={author}"]
        done = _git(
            folder,
            *identity,
            "commit",
            "--quiet",
            "--no-verify",
            f"--author={name} <{author}>",
            "-m",
            message,
            "--",
            *relative,
        )
        if done.returncode != 0:
            log.error("Git に記録できませんでした: %s", done.stderr.strip()[:300])
            return None
        return _git(folder, "rev-parse", "HEAD").stdout.strip() or None
    except (OSError, subprocess.TimeoutExpired) as error:
        log.error("Git に記録できませんでした（%s）", type(error).__name__)
        return None
