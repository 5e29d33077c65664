"""scripts/loadtest's own logic (the load itself needs wrk and minutes: run it by hand)."""

from __future__ import annotations

import importlib.machinery
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def loadtest():
    path = ROOT / "scripts" / "loadtest"
    loader = importlib.machinery.SourceFileLoader("loadtest_script", str(path))
    spec = importlib.util.spec_from_loader("loadtest_script", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def test_questions_are_the_first_column_once_each_in_order(loadtest, tmp_path):
    first = tmp_path / "a.tsv"
    first.write_text(
        "query\texpected\tstyle\n補助金いつまで\tsubsidy\tclean\n# a comment\n\n医療券 紙\tpaper\n",
        encoding="utf-8",
    )
    second = tmp_path / "b.tsv"
    second.write_text("医療券 紙\tpaper\nquery\tnot a header here\n", encoding="utf-8")
    assert loadtest.read_questions([first, second]) == ["補助金いつまで", "医療券 紙", "query"]


def test_a_file_saved_with_a_bom_has_its_header_skipped_too(loadtest, tmp_path):
    exported = tmp_path / "exported.tsv"
    exported.write_text("query\tcount\n補助金いつまで\t12\n", encoding="utf-8-sig")
    assert loadtest.read_questions([exported]) == ["補助金いつまで"]


def test_a_file_without_questions_stops_with_a_japanese_message(loadtest, tmp_path):
    empty = tmp_path / "empty.tsv"
    empty.write_text("query\texpected\n# nothing yet\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="質問がありません"):
        loadtest.read_questions([empty])
    with pytest.raises(SystemExit, match="読めません"):
        loadtest.read_questions([tmp_path / "missing.tsv"])
    shift_jis = tmp_path / "sjis.tsv"
    shift_jis.write_bytes("補助金いつまで\tsubsidy\n".encode("shift_jis"))
    with pytest.raises(SystemExit, match="UTF-8 ではありません"):
        loadtest.read_questions([shift_jis])


def test_the_evaluation_sets_give_the_search_scenarios_hundreds_of_questions(loadtest):
    questions = loadtest.read_questions(sorted((ROOT / "scripts" / "eval").glob("*.tsv")))
    assert len(questions) > 500
    scenarios = loadtest.build_scenarios("http://127.0.0.1:1", ["about"], False, questions)
    searched = {request["path"] for request in scenarios["api_search"]}
    assert len(searched) == len(questions)
    assert all(path.startswith("/api/search?q=") for path in searched)
    # Without --questions, the 28 built in.
    default = loadtest.build_scenarios("http://127.0.0.1:1", ["about"], False)
    assert len(default["api_search"]) == len(loadtest.QUERIES)


def test_each_scenario_reports_the_cpu_a_request_cost_the_server_and_wrk(loadtest):
    run = {key: 0 for key in loadtest.COUNTED} | {"p50_us": 1, "p95_us": 2, "p99_us": 3}
    rounds = [
        {"api_search": run | {"requests": 1000, "duration_us": 10**6, "server_cpu_s": 0.8,
                              "wrk_cpu_s": 0.05, "max_us": 9}},
        {"api_search": run | {"requests": 1000, "duration_us": 10**6, "server_cpu_s": 1.0,
                              "wrk_cpu_s": 0.07, "max_us": 9}},
    ]  # fmt: skip
    combined = loadtest.combine(rounds)["api_search"]
    assert loadtest.per_request(combined, "server_cpu_s") == "0.900"
    assert loadtest.per_request(combined, "wrk_cpu_s") == "0.060"
    # Where /proc could not be read, the column says so rather than guessing.
    rounds[1]["api_search"]["server_cpu_s"] = None
    assert loadtest.per_request(loadtest.combine(rounds)["api_search"], "server_cpu_s") == "—"


def test_the_server_cpu_is_read_from_proc_and_unknown_for_a_process_that_is_not_there(loadtest):
    import os

    # This process (importing pytest, NumPy, the project) has spent CPU by now.
    assert loadtest.server_cpu_seconds(os.getpid()) > 0
    assert loadtest.server_cpu_seconds(2**22 + 12345) is None  # no such process
