"""Corrections: corrections.toml parsed with its lines, each kind applied to the fixture corpus
(see conftest: p04 defines DPO, p05 names it bare), names that match nothing reported, and
`kg correct` keeping what the user wrote."""

from __future__ import annotations

import json
import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.build import build, load_graph
from kg.cli import app
from kg.corrections import (
    Correction,
    Corrections,
    annotate,
    append,
    correct,
    corrected_corpus,
    load,
    parse,
)
from kg.errors import InputError, KGError
from kg.graph import ConceptNode, GraphData, graph_data
from kg.model import ConceptType, Extraction, Paper, Role
from kg.stores.ladybug_store import LadybugStore

FILE = Path("corrections.toml")
runner = CliRunner()
Papers = tuple[Paper, ...]
Extractions = tuple[Extraction, ...]


def fix(papers: tuple[Paper, ...], extractions: tuple[Extraction, ...], text: str) -> GraphData:
    done = correct(papers, extractions, parse(text, FILE))
    assert done.report.warnings() == []
    return annotate(graph_data(papers, done.extractions), done)


def concept(data: GraphData, cid: str) -> ConceptNode:
    found = [c for c in data.concepts if c.id == cid]
    assert found, f"no concept {cid}"
    return found[0]


def ids(data: GraphData) -> set[str]:
    return {c.id for c in data.concepts}


def papers_of(data: GraphData, cid: str) -> set[str]:
    return {m.paper_id for m in data.mentions if m.concept_id == cid}


# --- the file ---------------------------------------------------------------------------------


def test_parse_reads_every_kind_with_its_line() -> None:
    text = """# my fixes
[[merge]]
into = "SQuAD"
names = ["GLUE"]

[[split]]
alias = "DPO"
from = "Direct Preference Optimization"

[[retype]]
name = "SQuAD"
type = "benchmark"

[[reject]]
name = "Adam"
paper = "p10"

[[add]]
paper = "p01"
name = "attention"
type = "Method"
role = "USED"
"""
    items = parse(text, FILE).items
    assert [(c.kind, c.line) for c in items] == [
        ("merge", 2),
        ("split", 6),
        ("retype", 10),
        ("reject", 14),
        ("add", 18),
    ]
    assert items[0].names == ("GLUE",)
    assert items[1].source == "Direct Preference Optimization"
    assert items[2].type is ConceptType.BENCHMARK
    assert items[3].paper == "p10"
    assert (items[4].type, items[4].role) == (ConceptType.METHOD, Role.USED)


def test_parse_keeps_the_file_order_across_kinds() -> None:
    text = '[[retype]]\nname = "A"\ntype = "Task"\n[[merge]]\ninto = "A"\nnames = "B"\n'
    text += '[[retype]]\nname = "A"\ntype = "Model"\n'
    assert [(c.kind, c.line) for c in parse(text, FILE).items] == [
        ("retype", 1),
        ("merge", 4),
        ("retype", 7),
    ]


def test_malformed_toml_names_file_and_line() -> None:
    with pytest.raises(InputError, match=r"^corrections.toml:3: not valid TOML \(Invalid value"):
        parse('[[reject]]\nname = "A"\npaper = \n', FILE)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[mrege]]\ninto = "A"\n', r"^corrections.toml:1: unknown correction 'mrege'"),
        ('[[reject]]\n\nnmae = "A"\n', r"^corrections.toml:3: \[\[reject\]\] has no key 'nmae'"),
        ('[[retype]]\nname = "A"\n', r"^corrections.toml:1: \[\[retype\]\] needs 'type'"),
        (
            '[[retype]]\nname = "A"\ntype = "Datset"\n',
            r"^corrections.toml:3: 'Datset' is not a ConceptType; use one of Method, Model",
        ),
        ('[[reject]]\nname = ""\n', r"^corrections.toml:2: \[\[reject\]\] name is not a name"),
        ('[[merge]]\ninto = "A"\nnames = []\n', r"^corrections.toml:3: \[\[merge\]\] names no"),
        ('reject = "A"\n', r"^corrections.toml:1: 'reject' is not a list of tables"),
    ],
)
def test_bad_entry_names_its_line(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse(text, FILE)


def test_no_file_means_no_corrections(tmp_path: Path) -> None:
    assert load(tmp_path) == Corrections(tmp_path / "corrections.toml")


def test_a_linked_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "elsewhere.toml").write_text('[[reject]]\nname = "A"\n', encoding="utf-8")
    (tmp_path / "corrections.toml").symlink_to(tmp_path / "elsewhere.toml")
    with pytest.raises(KGError, match="symbolic link"):
        load(tmp_path)


def test_append_keeps_the_users_comments_and_entries(tmp_path: Path) -> None:
    mine = '# why: GLUE is not SQuAD\n[[retype]]  # a comment on the table\nname = "GLUE"\ntype = "Benchmark"  # was Dataset'
    (tmp_path / "corrections.toml").write_text(mine, encoding="utf-8")
    append(tmp_path, Correction("merge", "Kaggle MBTI", ("MBTI Kaggle",)))
    text = (tmp_path / "corrections.toml").read_text(encoding="utf-8")
    assert text.startswith(mine + "\n")
    assert [c.kind for c in load(tmp_path).items] == ["retype", "merge"]


def test_append_to_a_new_file_writes_a_commented_header(tmp_path: Path) -> None:
    append(tmp_path, Correction("reject", "Adam", paper="p10"))
    text = (tmp_path / "corrections.toml").read_text(encoding="utf-8")
    assert text.startswith("# Corrections to this kg build")
    assert load(tmp_path).items == (Correction("reject", "Adam", paper="p10", line=7),)


@pytest.mark.parametrize(
    "name", ['quote " and \\ back', "new\nline", "tab\there", "del\x7f", "é 🚀 [[merge]]"]
)
def test_appended_names_read_back_exactly(tmp_path: Path, name: str) -> None:
    append(tmp_path, Correction("merge", name, (name + "2",)))
    assert load(tmp_path).items[0].names == (name + "2",)
    assert tomllib.loads((tmp_path / "corrections.toml").read_text(encoding="utf-8"))


def test_append_refuses_the_same_correction_twice(tmp_path: Path) -> None:
    append(tmp_path, Correction("retype", "GLUE", type=ConceptType.BENCHMARK))
    with pytest.raises(KGError, match="already has retype 'GLUE' as Benchmark"):
        append(tmp_path, Correction("retype", "GLUE", type=ConceptType.BENCHMARK))


def test_append_leaves_a_malformed_file_alone(tmp_path: Path) -> None:
    (tmp_path / "corrections.toml").write_text("[[merge]\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"corrections\.toml:1: not valid TOML"):
        append(tmp_path, Correction("reject", "Adam"))
    assert (tmp_path / "corrections.toml").read_text(encoding="utf-8") == "[[merge]\n"


# --- applying them ----------------------------------------------------------------------------


def test_merge_joins_two_concepts_and_says_why(papers: Papers, extractions: Extractions) -> None:
    data = fix(papers, extractions, '[[merge]]\ninto = "SQuAD"\nnames = ["GLUE"]\n')
    squad = concept(data, "squad")
    assert "glue" not in ids(data)
    assert "GLUE" in squad.aliases
    assert "GLUE: corrected by user: merged into SQuAD (corrections.toml:1)" in squad.merged
    assert papers_of(data, "squad") == {"p02", "p03"}
    assert squad.type is ConceptType.DATASET  # the kept concept's type


def test_merge_by_id_and_alias(papers: Papers, extractions: Extractions) -> None:
    text = '[[merge]]\ninto = "vit"\nnames = ["RLHF"]\n'
    data = fix(papers, extractions, text)
    vit = [c for c in data.concepts if "RLHF" in c.aliases]
    assert len(vit) == 1
    assert "reinforcement-learning-from-human-feedback" not in ids(data)


def test_merge_takes_the_joined_acronym_along(papers: Papers, extractions: Extractions) -> None:
    data = fix(papers, extractions, '[[merge]]\ninto = "Adam"\nnames = ["DPO"]\n')
    assert papers_of(data, "adam") == {"p04", "p05", "p10"}
    assert not {"dpo", "direct-preference-optimization"} & ids(data)


def test_split_makes_an_alias_its_own_concept(papers: Papers, extractions: Extractions) -> None:
    before = graph_data(papers, extractions)
    assert "DPO" in concept(before, "direct-preference-optimization").aliases
    data = fix(
        papers, extractions, '[[split]]\nalias = "DPO"\nfrom = "direct preference optimization"\n'
    )
    long_form = concept(data, "direct-preference-optimization")
    assert "DPO" not in long_form.aliases
    assert papers_of(data, "dpo") == {"p04", "p05"}
    assert papers_of(data, "direct-preference-optimization") == {"p04"}
    assert (
        "DPO: corrected by user: split from Direct Preference Optimization (corrections.toml:1)"
        in (concept(data, "dpo").merged)
    )


def test_retype_sets_the_type_in_every_paper(papers: Papers, extractions: Extractions) -> None:
    data = fix(papers, extractions, '[[retype]]\nname = "squad"\ntype = "Benchmark"\n')
    squad = concept(data, "squad")
    assert squad.type is ConceptType.BENCHMARK
    assert "SQuAD: corrected by user: retyped as Benchmark (corrections.toml:1)" in squad.merged


def test_reject_removes_a_concept_everywhere(papers: Papers, extractions: Extractions) -> None:
    data = fix(papers, extractions, '[[reject]]\nname = "Transformer"\n')
    assert "transformer" not in ids(data)
    assert not any("transformer" in (e.source, e.target) for e in data.co_occurs)


def test_reject_in_one_paper_named_by_its_title(papers: Papers, extractions: Extractions) -> None:
    data = fix(papers, extractions, '[[reject]]\nname = "BERT"\npaper = "roberta: a robustly"\n')
    assert papers_of(data, "bert") == {"p02"}
    assert "BERT: corrected by user: rejected in paper p03 (corrections.toml:1)" in (
        concept(data, "bert").merged
    )


def test_add_puts_a_missed_concept_in_a_paper(papers: Papers, extractions: Extractions) -> None:
    text = '[[add]]\npaper = "p01"\nname = "attention"\ntype = "Method"\nrole = "used"\n'
    done = correct(papers, extractions, parse(text, FILE))
    p01 = next(e for e in done.extractions if e.paper_id == "p01")
    added = p01.entities[-1]
    assert (added.concept_id, added.type, added.role, added.source) == (
        "attention",
        ConceptType.METHOD,
        Role.USED,
        "user",
    )
    paper = papers[0]
    texts = {"title": paper.title, "abstract": paper.abstract}
    assert [texts[m.field][m.start : m.end] for m in added.mentions] == ["Attention", "attention"]
    data = annotate(graph_data(papers, done.extractions), done)
    assert papers_of(data, "attention") == {"p01"}


def test_add_joins_an_existing_concept(papers: Papers, extractions: Extractions) -> None:
    text = '[[add]]\npaper = "p10"\nname = "bert"\ntype = "Model"\n'
    data = fix(papers, extractions, text)
    assert papers_of(data, "bert") == {"p02", "p03", "p10"}
    assert concept(data, "bert").name == "BERT"


def test_a_later_correction_names_an_added_concept(
    papers: Papers, extractions: Extractions
) -> None:
    text = '[[add]]\npaper = "p01"\nname = "attention"\ntype = "Method"\n'
    text += '[[retype]]\nname = "Attention"\ntype = "Task"\n'
    assert concept(fix(papers, extractions, text), "attention").type is ConceptType.TASK


def test_a_later_correction_follows_a_merge(papers: Papers, extractions: Extractions) -> None:
    text = '[[merge]]\ninto = "SQuAD"\nnames = ["GLUE"]\n[[retype]]\nname = "GLUE"\ntype = "Task"\n'
    assert concept(fix(papers, extractions, text), "squad").type is ConceptType.TASK


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('[[reject]]\nname = "Zorblax"\n', "no concept named 'Zorblax'"),
        ('[[retype]]\nname = "SQuADD"\ntype = "Task"\n', "did you mean 'SQuAD'?"),
        ('[[merge]]\ninto = "BERT"\nnames = ["bert"]\n', "'bert' is already 'BERT'"),
        ('[[split]]\nalias = "ViT"\nfrom = "BERT"\n', "'BERT' has no alias 'ViT'"),
        ('[[reject]]\nname = "BERT"\npaper = "p01"\n', "'BERT' is not in paper p01"),
        ('[[reject]]\nname = "BERT"\npaper = "p99"\n', "no paper with id or title 'p99'"),
        ('[[add]]\npaper = "p02"\nname = "Bert"\ntype = "Model"\n', "'BERT' is in paper p02"),
        ('[[retype]]\nname = "BERT"\ntype = "Model"\n', "'BERT' is a Model already"),
    ],
)
def test_a_correction_that_changes_nothing_is_reported(
    papers: Papers, extractions: Extractions, text: str, problem: str
) -> None:
    done = correct(papers, extractions, parse("# mine\n\n" + text, FILE))
    warnings = done.report.warnings()
    assert len(warnings) == 1
    assert warnings[0].startswith("corrections.toml:3: ")
    assert problem in warnings[0]
    assert graph_data(papers, done.extractions) == graph_data(papers, extractions)


def test_other_corrections_still_apply_beside_a_broken_one(
    papers: Papers, extractions: Extractions
) -> None:
    text = '[[reject]]\nname = "Zorblax"\n[[reject]]\nname = "Adam"\n'
    done = correct(papers, extractions, parse(text, FILE))
    assert len(done.report.warnings()) == 1
    assert "adam" not in ids(graph_data(papers, done.extractions))


def test_correct_reads_a_one_shot_iterator(papers: Papers, extractions: Extractions) -> None:
    done = correct(papers, iter(extractions), parse('[[reject]]\nname = "Adam"\n', FILE))
    assert "adam" not in ids(graph_data(papers, done.extractions))
    assert "adam" not in ids(graph_data(papers, done.extractions))  # a second pass


def test_the_input_extractions_are_not_changed(papers: Papers, extractions: Extractions) -> None:
    kept = list(extractions)
    correct(papers, extractions, parse('[[reject]]\nname = "Adam"\n', FILE))
    assert list(extractions) == kept


# --- through builds and the command line ------------------------------------------------------

PAPERS = [
    {
        "id": "a1",
        "title": "Zorblax: Fast Decoding",
        # "and report accuracy" makes the decider keep "report accuracy" as one Metric phrase (a
        # known extraction error, issue 9); this test is about corrections, not that error
        "abstract": "We propose Zorblax. We fine-tune BERT on SQuAD and report its accuracy.",
    },
    {
        "id": "a2",
        "title": "LoRA for BERT",
        "abstract": "We apply Low-Rank Adaptation (LoRA) to BERT on GLUE and SQuAD.",
    },
    {
        "id": "a3",
        "title": "Personality from text",
        "abstract": "We train RoBERTa with the Adam optimizer on the Kaggle MBTI dataset.",
    },
]
LATER = {
    "id": "a4",
    "title": "Type prediction with adapters",
    "abstract": "We fine-tune RoBERTa with LoRA using Adam and report accuracy on SQuAD.",
}
FIXES = """# Fixes to what extraction found in our corpus.
[[merge]]  # (not really one model; found by the gazetteer, so the test needs no new pattern)
into = "BERT"
names = ["RoBERTa"]

[[retype]]
name = "SQuAD"
type = "Task"

[[reject]]
name = "accuracy"
paper = "Zorblax"  # a title's start names the paper

[[reject]]
name = "adam"

[[split]]
alias = "LoRA"
from = "low-rank adaptation"

[[add]]
paper = "a2"
name = "fine-tuning"
type = "Method"
role = "used"
"""


def write_jsonl(path: Path, rows: list[dict[str, str]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def db_concepts(out: Path) -> dict[str, tuple[str, list[str]]]:
    """Each concept of the build's database: id -> (type, merged notes)."""
    with LadybugStore.open(out / "graph.lbug", read_only=True) as store:
        rows = store.run("MATCH (c:Concept) RETURN c.id, c.type, c.merged").rows
    return {str(r[0]): (str(r[1]), list(r[2])) for r in rows}  # type: ignore[call-overload]


@dataclass(frozen=True)
class Round:
    graph: GraphData
    db: dict[str, tuple[str, list[str]]]
    extractions: bytes


@pytest.fixture(scope="module")
def rounds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Round]:
    """A build, rebuilt with FIXES in its folder, then updated with a paper naming the same things."""
    folder = tmp_path_factory.mktemp("corrections")
    first, later, out = folder / "first.jsonl", folder / "later.jsonl", folder / "out"
    write_jsonl(first, PAPERS)
    write_jsonl(later, [LATER])

    def snapshot() -> Round:
        return Round(load_graph(out), db_concepts(out), (out / "extractions.jsonl").read_bytes())

    build([first], out)
    found = {"plain": snapshot()}
    (out / "corrections.toml").write_text(FIXES, encoding="utf-8")
    build([first], out)
    found["rebuild"] = snapshot()
    build([later], out, update=True)
    found["update"] = snapshot()
    (out / "corrections.toml").unlink()
    build([first], out)
    found["undone"] = snapshot()
    return found


BOTH = pytest.mark.parametrize("when", ["rebuild", "update"])
FOUND = {"bert", "roberta", "squad", "accuracy", "adam", "low-rank-adaptation"}  # the gazetteer's


def test_extraction_finds_what_the_corrections_name(rounds: dict[str, Round]) -> None:
    plain = rounds["plain"].graph
    assert ids(plain) >= FOUND
    assert "fine-tuning" not in ids(plain)
    assert concept(plain, "squad").type is not ConceptType.TASK
    assert "LoRA" in concept(plain, "low-rank-adaptation").aliases


@BOTH
def test_merge_survives(rounds: dict[str, Round], when: str) -> None:
    data = rounds[when].graph
    assert "roberta" not in ids(data)
    assert (
        papers_of(data, "bert")
        == {"rebuild": {"a1", "a2", "a3"}, "update": {"a1", "a2", "a3", "a4"}}[when]
    )
    note = "RoBERTa: corrected by user: merged into BERT (corrections.toml:2)"
    assert note in concept(data, "bert").merged
    assert note in rounds[when].db["bert"][1]
    assert "roberta" not in rounds[when].db


@BOTH
def test_retype_survives(rounds: dict[str, Round], when: str) -> None:
    assert concept(rounds[when].graph, "squad").type is ConceptType.TASK
    assert rounds[when].db["squad"][0] == "Task"


@BOTH
def test_reject_in_a_paper_survives(rounds: dict[str, Round], when: str) -> None:
    assert papers_of(rounds[when].graph, "accuracy") == {"rebuild": set(), "update": {"a4"}}[when]


@BOTH
def test_reject_everywhere_survives(rounds: dict[str, Round], when: str) -> None:
    assert "adam" not in ids(rounds[when].graph)
    assert "adam" not in rounds[when].db


@BOTH
def test_split_survives(rounds: dict[str, Round], when: str) -> None:
    data = rounds[when].graph
    assert papers_of(data, "lora") == {"rebuild": {"a2"}, "update": {"a2", "a4"}}[when]
    assert "LoRA" not in concept(data, "low-rank-adaptation").aliases
    assert "lora" in rounds[when].db


@BOTH
def test_add_survives(rounds: dict[str, Round], when: str) -> None:
    assert papers_of(rounds[when].graph, "fine-tuning") == {"a2"}
    assert rounds[when].db["fine-tuning"][0] == "Method"


def test_extractions_stay_the_extractors_output(rounds: dict[str, Round]) -> None:
    assert rounds["rebuild"].extractions == rounds["plain"].extractions
    for line in rounds["update"].extractions.decode().splitlines():
        assert '"source": "user"' not in line


def test_deleting_the_file_undoes_every_correction(rounds: dict[str, Round]) -> None:
    assert rounds["undone"].graph == rounds["plain"].graph
    assert rounds["undone"].db == rounds["plain"].db


@pytest.fixture(scope="module")
def first_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("first")
    build([write_jsonl(folder / "papers.jsonl", PAPERS)], folder / "out")
    return folder


@pytest.fixture
def built(first_build: Path, tmp_path: Path) -> Path:
    """A fresh copy of a build of PAPERS (papers.jsonl beside it)."""
    shutil.copytree(first_build, tmp_path, dirs_exist_ok=True)
    return tmp_path / "out"


def test_build_warns_of_a_correction_that_names_nothing(built: Path) -> None:
    (built / "corrections.toml").write_text(
        '# mine\n[[reject]]\nname = "SQuADD"\n', encoding="utf-8"
    )
    done = runner.invoke(app, ["build", str(built.parent / "papers.jsonl"), "-o", str(built)])
    assert done.exit_code == 0, done.output
    warning = f"warning: {built / 'corrections.toml'}:2: reject 'SQuADD': no concept named "
    assert warning + "'SQuADD' (did you mean 'SQuAD'?); fix or delete the entry" in done.stderr


def test_a_malformed_file_stops_the_build_and_keeps_the_old_one(built: Path) -> None:
    before = {p.name: p.read_bytes() for p in built.iterdir() if p.is_file()}
    (built / "corrections.toml").write_text(
        '[[retype]]\nname = "SQuAD"\ntype = \n', encoding="utf-8"
    )
    done = runner.invoke(app, ["build", str(built.parent / "papers.jsonl"), "-o", str(built)])
    assert done.exit_code == 2
    assert done.stderr.startswith(f"error: {built / 'corrections.toml'}:3: not valid TOML")
    after = {p.name: p.read_bytes() for p in built.iterdir() if p.is_file()}
    assert after.pop("corrections.toml")
    assert after == before


def test_kg_correct_appends_keeping_comments_then_apply_rebuilds(built: Path) -> None:
    mine = "# keep me: why we fix these\n[[retype]]  # and me\nname = 'SQuAD'\ntype = 'Task'\n"
    (built / "corrections.toml").write_text(mine, encoding="utf-8")
    done = runner.invoke(app, ["correct", str(built), "merge", "BERT", "RoBERTa"])
    assert done.exit_code == 0, done.output
    assert f"{built / 'corrections.toml'}:6: merge 'RoBERTa' into 'BERT'" in done.stdout
    assert "rebuild to apply" in done.stdout
    assert (built / "corrections.toml").read_text(encoding="utf-8").startswith(mine)
    assert "roberta" in db_concepts(built)  # not applied yet
    done = runner.invoke(app, ["correct", str(built), "--apply"])
    assert done.exit_code == 0, done.output
    assert "roberta" not in db_concepts(built)
    assert db_concepts(built)["squad"][0] == "Task"


@pytest.mark.parametrize(
    ("args", "entry"),
    [
        (["split", "LoRA", "--from", "Low-Rank Adaptation"], 'alias = "LoRA"'),
        (["retype", "SQuAD", "task"], 'type = "Task"'),
        (["reject", "BERT", "--paper", "LoRA for BERT"], 'paper = "LoRA for BERT"'),
        (["add", "a1", "decoding", "--type", "Task", "--role", "used"], 'role = "used"'),
    ],
)
def test_kg_correct_writes_each_kind(built: Path, args: list[str], entry: str) -> None:
    done = runner.invoke(app, ["correct", str(built), *args])
    assert done.exit_code == 0, done.output
    assert done.stderr == ""
    assert entry in (built / "corrections.toml").read_text(encoding="utf-8")
    listed = runner.invoke(app, ["correct", str(built), "--list"])
    assert "NOT APPLIED" not in listed.stdout
    assert len(listed.stdout.splitlines()) == 1


def test_kg_correct_warns_when_the_name_matches_nothing(built: Path) -> None:
    done = runner.invoke(app, ["correct", str(built), "retype", "SQuADD", "Task"])
    assert done.exit_code == 0
    assert "warning: it changes nothing: no concept named 'SQuADD' (did you mean 'SQuAD'?)" in (
        done.stderr
    )
    listed = runner.invoke(app, ["correct", str(built), "--list"])
    assert "corrections.toml:7: retype 'SQuADD' as Task: NOT APPLIED: no concept" in listed.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["retype", "SQuAD"], "usage: kg correct DIR retype NAME TYPE"),
        (["merge", "SQuAD"], "usage: kg correct DIR merge NAME OTHER..."),
        (["split", "LoRA"], "usage: kg correct DIR split ALIAS --from NAME"),
        (["reject", "BERT", "--type", "Model"], "usage: kg correct DIR reject NAME [--paper"),
        (["add", "a1", "x"], "usage: kg correct DIR add PAPER NAME --type TYPE"),
        (["retype", "SQuAD", "Datset"], "'Datset' is not a ConceptType; use one of Method"),
        (["add", "a1", "x", "--type", "Task", "--role", "used it"], "is not a Role"),
        (["rename", "A", "B"], "no correction 'rename'; use merge, split"),
        (["reject", " "], "a name is empty"),
        ([], "say what to correct"),
    ],
)
def test_kg_correct_refuses_a_bad_command(built: Path, args: list[str], message: str) -> None:
    done = runner.invoke(app, ["correct", str(built), *args])
    assert done.exit_code == 1
    assert message in done.stderr
    assert not (built / "corrections.toml").exists()


def test_kg_correct_needs_a_build_folder(tmp_path: Path) -> None:
    done = runner.invoke(app, ["correct", str(tmp_path), "reject", "BERT"])
    assert done.exit_code == 1
    assert "not a kg build folder" in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_folder_holding_only_corrections_is_buildable(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "corrections.toml").write_text('[[reject]]\nname = "Adam"\n', encoding="utf-8")
    build([write_jsonl(tmp_path / "papers.jsonl", PAPERS)], out)
    assert "adam" not in db_concepts(out)
    assert (out / "corrections.toml").read_text(encoding="utf-8") == '[[reject]]\nname = "Adam"\n'


def test_corrected_corpus_gives_added_entities_with_source_user(built: Path) -> None:
    (built / "corrections.toml").write_text(
        '[[add]]\npaper = "a2"\nname = "fine-tuning"\ntype = "Method"\n', encoding="utf-8"
    )
    _, extractions, data = corrected_corpus(built)
    a2 = next(e for e in extractions if e.paper_id == "a2")
    assert [(e.name, e.source) for e in a2.entities if e.concept_id == "fine-tuning"] == [
        ("fine-tuning", "user")
    ]
    assert data == load_graph(built)


def test_kg_explain_gives_the_corrected_reason(built: Path) -> None:
    (built / "corrections.toml").write_text(
        '[[merge]]\ninto = "BERT"\nnames = ["RoBERTa"]\n', encoding="utf-8"
    )
    done = runner.invoke(app, ["explain", str(built), "RoBERTa"])
    assert done.exit_code == 0, done.output
    assert done.stdout.startswith("BERT (Model; id bert; 3 papers)")
    assert "RoBERTa: corrected by user: merged into BERT (corrections.toml:1)" in (done.stdout)


def test_kg_correct_does_not_write_through_a_link(built: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.toml"
    outside.write_text("# not kg's\n", encoding="utf-8")
    (built / "corrections.toml").symlink_to(outside)
    done = runner.invoke(app, ["correct", str(built), "reject", "BERT"])
    assert done.exit_code == 1
    assert "symbolic link" in done.stderr
    assert outside.read_text(encoding="utf-8") == "# not kg's\n"
    assert (built / "corrections.toml").is_symlink()
