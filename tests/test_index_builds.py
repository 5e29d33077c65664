"""Index builds: the analysis cache, incremental reindexing, parallel full builds, atomic swaps.

Speed is measured by scripts/bench_build.py, never here: these tests prove behaviour.
"""

from __future__ import annotations

import fcntl
import hashlib
import threading
from dataclasses import replace
from pathlib import Path

import pytest

import kb.documents
import kb.index
import kb.segments
from kb import ARTICLES_DIR
from kb.articles import Article, load_articles
from kb.index import CURRENT, IndexStore, memory_index
from kb.search import SearchEngine

FIELDS = [*kb.index.TEXT_FIELDS, kb.index.KANA_FIELD, kb.index.GRAMS_FIELD]


@pytest.fixture(scope="module")
def articles() -> dict[str, Article]:
    return load_articles(ARTICLES_DIR).articles


def edited(articles: dict[str, Article]) -> dict[str, Article]:
    """The articles with one changed (a new word, an old sentence gone), one added (a copy of
    another under a new id with a word of its own) and one removed."""
    ids = list(articles)
    changed, copied, removed = ids[3], ids[10], ids[20]
    result = {id_: a for id_, a in articles.items() if id_ != removed}
    result[changed] = replace(
        articles[changed], body=articles[changed].body.split("\n")[-1] + "\n\nflorbix"
    )
    result["added-article"] = replace(
        articles[copied], id="added-article", title=f"{articles[copied].title} zorvane"
    )
    return result


def questions(articles: dict[str, Article]) -> list[str]:
    return [q for a in articles.values() for q in (*a.queries, a.title, " ".join(a.tags[:2]))]


def ranked(engine: SearchEngine, queries: list[str]) -> list[list[tuple[str, float]]]:
    return [
        [(hit.id, hit.score) for hit in engine.search(q, limit=10, highlight=False).hits]
        for q in queries
    ]


def assert_same_rankings(first: SearchEngine, second: SearchEngine, queries: list[str]) -> None:
    for query, a, b in zip(queries, ranked(first, queries), ranked(second, queries), strict=True):
        assert [id_ for id_, _ in a] == [id_ for id_, _ in b], query
        assert [score for _, score in a] == pytest.approx([score for _, score in b], rel=1e-12)


def assert_same_postings(first, second) -> None:
    one, other = first.postings(FIELDS), second.postings(FIELDS)
    assert one.doc_ids == other.doc_ids
    assert one.postings == other.postings
    assert one.lengths == other.lengths


def file_hashes(folder: Path) -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in folder.iterdir()
        if path.is_file()
    }


@pytest.fixture
def count_analyses(monkeypatch) -> list[str]:
    """The ids of the articles analyzed (in this process) from now on."""
    analyzed: list[str] = []
    original = kb.segments.analyze_article

    def counting(article):
        analyzed.append(article.id)
        return original(article)

    monkeypatch.setattr(kb.segments, "analyze_article", counting)
    return analyzed


def test_an_incremental_reindex_ranks_exactly_as_a_full_build(tmp_path, articles):
    store = IndexStore(tmp_path / "incremental")
    store.build(articles, "before")
    new = edited(articles)
    assert store.publish(new, "after").incremental
    full = IndexStore(tmp_path / "full")
    full.build(new, "after")

    incremental_index, full_index = store.open(), full.open()
    assert incremental_index.index.doc_count_all() > incremental_index.index.doc_count()
    assert_same_postings(incremental_index, full_index)
    assert_same_rankings(
        SearchEngine(incremental_index), SearchEngine(full_index), questions(new) + ["florbix"]
    )


def test_an_added_a_changed_and_a_removed_article_are_found_as_they_now_are(tmp_path, articles):
    store = IndexStore(tmp_path / "index")
    store.build(articles, "before")
    new = edited(articles)
    removed = next(id_ for id_ in articles if id_ not in new)
    changed = list(articles)[3]

    assert store.publish(new, "after").incremental
    engine = SearchEngine(store.open())
    assert set(engine.articles) == set(new)
    assert [hit.id for hit in engine.search("florbix").hits] == [changed]
    assert [hit.id for hit in engine.search("zorvane").hits] == ["added-article"]
    assert removed not in [hit.id for hit in engine.search(articles[removed].title).hits]
    assert engine.articles[changed].body == new[changed].body


def test_an_unchanged_article_is_never_analyzed_again(tmp_path, articles, count_analyses):
    store = IndexStore(tmp_path / "index")
    store.build(articles, "first")
    assert sorted(count_analyses) == sorted(articles)
    count_analyses.clear()

    store.build(articles, "again")
    assert count_analyses == []

    one = next(iter(articles))
    changed = {**articles, one: replace(articles[one], answer=articles[one].answer + "（改訂）")}
    store.build(changed, "full build after an edit")
    assert count_analyses == [one]
    count_analyses.clear()
    assert store.publish(changed, "nothing new").incremental
    assert count_analyses == []


def test_fields_the_index_does_not_hold_do_not_invalidate_the_analysis(
    tmp_path, articles, count_analyses
):
    store = IndexStore(tmp_path / "index")
    store.build(articles, "first")
    count_analyses.clear()
    reviewed = {id_: replace(a, related=(), order=a.order + 1) for id_, a in articles.items()}
    store.build(reviewed, "review dates and order only")
    assert count_analyses == []
    assert store.open().articles == reviewed  # the snapshot has them all the same


def test_a_changed_analyzer_invalidates_every_cached_analysis(
    tmp_path, articles, count_analyses, monkeypatch
):
    store = IndexStore(tmp_path / "index")
    store.build(articles, "first")
    count_analyses.clear()
    monkeypatch.setattr(kb.documents, "analyzer_fingerprint", lambda: "another analyzer")

    published = store.publish(articles, "same articles, new analyzer")
    assert not published.incremental
    assert sorted(count_analyses) == sorted(articles)


def test_a_damaged_cache_is_rebuilt_not_fatal(tmp_path, articles, count_analyses):
    store = IndexStore(tmp_path / "index")
    store.build(articles, "first")
    store.cache.path.write_bytes(b"not a database" * 100)
    count_analyses.clear()
    store.build(articles, "again")
    assert sorted(count_analyses) == sorted(articles)
    assert store.cache.keys()  # written anew


def test_a_parallel_full_build_writes_the_same_index_as_one_process(
    tmp_path, articles, monkeypatch
):
    monkeypatch.setattr(kb.segments, "PARALLEL_FROM_ARTICLES", 4)
    monkeypatch.setattr(kb.segments, "worker_count", lambda articles: 2)
    store = IndexStore(tmp_path / "index")
    store.build(articles, "parallel")
    opened = store.open()
    assert len(list(opened.index.reader().leaf_readers())) == 2  # one segment per worker
    generation = tmp_path / "index" / store.current_generation()
    assert not [path for path in generation.iterdir() if path.is_dir()]  # no temporary left
    assert len(store.cache.keys()) == len(articles)  # each worker kept what it analyzed
    assert_same_postings(opened, memory_index(articles))


def test_a_failed_incremental_build_never_changes_current(tmp_path, articles, monkeypatch):
    store = IndexStore(tmp_path / "index")
    live = store.build(articles, "live")
    before = file_hashes(tmp_path / "index" / live)

    def broken(document):
        raise OSError("disk full")

    monkeypatch.setattr(kb.index, "document_fields", broken)
    with pytest.raises(OSError, match="disk full"):
        store.update(edited(articles), "never published")

    assert store.current_generation() == live
    assert file_hashes(tmp_path / "index" / live) == before
    assert [p.name for p in (tmp_path / "index").glob("gen-*")] == [live]
    assert set(store.open().articles) == set(articles)


def test_an_incremental_build_never_touches_the_live_generations_files(tmp_path, articles):
    store = IndexStore(tmp_path / "index")
    live = store.build(articles, "live")
    before = file_hashes(tmp_path / "index" / live)
    assert store.update(edited(articles), "next") is not None
    assert file_hashes(tmp_path / "index" / live) == before


def test_a_damaged_live_generation_is_rebuilt_in_full(tmp_path, articles):
    store = IndexStore(tmp_path / "index")
    live = store.build(articles, "live")
    segment = next((tmp_path / "index" / live).glob("*.seg"))
    segment.write_bytes(b"garbage")
    assert store.update(edited(articles), "next") is None
    published = store.publish(edited(articles), "next")
    assert not published.incremental
    assert set(store.open().articles) == set(edited(articles))


def test_many_changes_at_once_are_built_in_full(tmp_path, articles):
    store = IndexStore(tmp_path / "index")
    store.build(articles, "live")
    rewritten = {id_: replace(a, answer=a.answer + "。") for id_, a in articles.items()}
    assert not store.publish(rewritten, "every answer changed").incremental


def test_many_small_updates_keep_few_segments_and_the_same_rankings(tmp_path, articles):
    store = IndexStore(tmp_path / "index")
    store.build(articles, "live")
    current = dict(articles)
    for step, article_id in enumerate(list(articles)[:8]):
        current[article_id] = replace(current[article_id], answer=f"{step} florbix")
        assert store.publish(current, f"step {step}").incremental
    opened = store.open()
    segments = list(opened.index.reader().leaf_readers())
    assert len(segments) <= 1 + kb.index.SMALL_SEGMENTS + 1
    full = IndexStore(tmp_path / "full")
    full.build(current, "full")
    assert_same_postings(opened, full.open())


def test_a_build_waits_for_the_lock_another_build_holds(tmp_path, articles):
    store = IndexStore(tmp_path / "index")
    store.build(articles, "live")
    live = store.current_generation()
    done = threading.Event()
    with open(tmp_path / "index" / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        worker = threading.Thread(
            target=lambda: (store.publish(edited(articles), "next"), done.set())
        )
        worker.start()
        assert not done.wait(0.5)
        assert store.current_generation() == live
        fcntl.flock(handle, fcntl.LOCK_UN)
    worker.join(timeout=60)
    assert done.is_set() and store.current_generation() != live


def test_current_names_the_new_generation_only_once_it_is_complete(tmp_path, articles):
    store = IndexStore(tmp_path / "index")
    store.build(articles, "live")
    name = store.publish(edited(articles), "next").generation
    assert (tmp_path / "index" / CURRENT).read_text(encoding="utf-8") == name
    folder = tmp_path / "index" / name
    assert {kb.index.FINGERPRINT, kb.index.ARTICLES_SNAPSHOT, kb.index.BUILD_INFO} <= {
        p.name for p in folder.iterdir()
    }


def test_while_one_thread_opens_a_new_generation_the_others_answer_from_the_old(
    tmp_path, monkeypatch
):
    from kb.library import KnowledgeBase

    articles_dir = tmp_path / "articles"
    articles_dir.mkdir()
    for path in ARTICLES_DIR.glob("*.md"):
        (articles_dir / path.name).write_bytes(path.read_bytes())
    library = KnowledgeBase(articles_dir, tmp_path / "index", check_interval=0.0)
    library.refresh()
    old = library.engine()
    library.refresh(force=True)  # a new generation on disk

    opening, release = threading.Event(), threading.Event()
    real_open = library.store.open

    def slow_open():
        opening.set()
        release.wait(10)
        return real_open()

    monkeypatch.setattr(library.store, "open", slow_open)
    opener = threading.Thread(target=library.engine)
    opener.start()
    assert opening.wait(10)
    answered = []
    other = threading.Thread(target=lambda: answered.append(library.engine()))
    other.start()
    other.join(5)
    try:
        assert not other.is_alive(), "a second thread waited for the opening"
        assert answered == [old]
    finally:
        release.set()
        opener.join(10)
        other.join(10)
    assert library.engine() is not old  # the new generation once it is open
