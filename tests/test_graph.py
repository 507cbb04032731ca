"""Papers + extractions -> graph rows and the NetworkX graph."""

from kg.graph import concept_node, graph_data, paper_node, to_networkx
from kg.model import ConceptType, Entity, Extraction, Mention, Paper, Role


def ent(name, ctype, role=Role.USED, aliases=(), cid=None):
    return Entity(
        cid or name.lower().replace(" ", "-"),
        name,
        ctype,
        role,
        (Mention(name, 0, len(name), "abstract"),),
        aliases=aliases,
    )


PAPERS = [Paper("p1", "One", "a"), Paper("p2", "Two", "b"), Paper("p3", "Three", "c")]


def test_graph_data_counts_papers_per_concept():
    exts = [
        Extraction(
            "p1", "One", (ent("BERT", ConceptType.MODEL), ent("GLUE", ConceptType.BENCHMARK))
        ),
        Extraction("p2", "Two", (ent("BERT", ConceptType.MODEL),)),
    ]
    data = graph_data(PAPERS, exts)
    counts = {c.name: c.paper_count for c in data.concepts}
    assert counts == {"BERT": 2, "GLUE": 1}


def test_graph_data_links_bare_acronym_to_long_form_defined_elsewhere():
    long_form = ent("Direct Preference Optimization", ConceptType.METHOD, aliases=("DPO",))
    exts = [
        Extraction("p1", "One", (long_form,)),
        Extraction("p2", "Two", (ent("DPO", ConceptType.METHOD, cid="dpo"),)),
    ]
    data = graph_data(PAPERS, exts)
    assert [c.name for c in data.concepts] == ["Direct Preference Optimization"]
    assert data.concepts[0].paper_count == 2


def test_graph_data_keeps_acronym_apart_when_long_forms_disagree():
    exts = [
        Extraction("p1", "One", (ent("Masked Autoencoder", ConceptType.METHOD, aliases=("MAE",)),)),
        Extraction(
            "p2", "Two", (ent("Mean Absolute Error", ConceptType.METRIC, aliases=("MAE",)),)
        ),
        Extraction("p3", "Three", (ent("MAE", ConceptType.METRIC, cid="mae"),)),
    ]
    names = {c.name for c in graph_data(PAPERS, exts).concepts}
    assert names == {"Masked Autoencoder", "Mean Absolute Error", "MAE"}


def test_graph_data_keeps_strongest_role_per_paper():
    exts = [
        Extraction(
            "p1",
            "One",
            (
                ent("X", ConceptType.METHOD, Role.MENTIONED),
                ent("X", ConceptType.METHOD, Role.PROPOSED, cid="x"),
            ),
        )
    ]
    (link,) = graph_data(PAPERS, exts).mentions
    assert link.role is Role.PROPOSED
    assert link.count == 2


def test_graph_data_weights_co_occurrence_by_shared_papers():
    both = (ent("A", ConceptType.METHOD), ent("B", ConceptType.DATASET))
    exts = [Extraction("p1", "One", both), Extraction("p2", "Two", both)]
    (edge,) = graph_data(PAPERS, exts).co_occurs
    assert (edge.source, edge.target, edge.weight) == ("a", "b", 2)


def test_graph_data_type_is_majority_vote():
    exts = [
        Extraction(
            p.id, p.title, (ent("Zed", ConceptType.MODEL if p.id != "p3" else ConceptType.METHOD),)
        )
        for p in PAPERS
    ]
    (concept,) = graph_data(PAPERS, exts).concepts
    assert concept.type is ConceptType.MODEL


def test_graph_data_is_deterministic_whatever_the_input_order():
    exts = [
        Extraction("p1", "One", (ent("A", ConceptType.METHOD), ent("B", ConceptType.METHOD))),
        Extraction("p2", "Two", (ent("B", ConceptType.METHOD),)),
    ]
    assert graph_data(PAPERS, exts) == graph_data(PAPERS[::-1], exts[::-1])


def test_to_networkx_has_typed_nodes_and_edges():
    exts = [Extraction("p1", "One", (ent("A", ConceptType.METHOD), ent("B", ConceptType.DATASET)))]
    G = to_networkx(graph_data(PAPERS, exts))
    assert G.nodes[paper_node("p1")]["kind"] == "Paper"
    assert G.nodes[concept_node("b")]["type"] == "Dataset"
    assert G.edges[paper_node("p1"), concept_node("a")]["type"] == "MENTIONS"
    assert G.edges[concept_node("a"), concept_node("b")]["type"] == "CO_OCCURS"


def test_graph_data_records_why_each_alias_was_merged():
    spelled = Entity(
        "resnet50",
        "ResNet-50",
        ConceptType.MODEL,
        Role.USED,
        (Mention("ResNet50", 0, 8, "abstract"),),
    )
    defined = Entity(
        "low-rank-adaptation",
        "Low-Rank Adaptation",
        ConceptType.METHOD,
        Role.USED,
        (Mention("LoRA", 0, 4, "abstract"),),
        aliases=("LoRA",),
        source="abbreviation",
    )
    data = graph_data(PAPERS, [Extraction("p1", "One", (spelled, defined))])
    merged = {c.name: c.merged for c in data.concepts}
    assert merged["ResNet-50"] == ("ResNet50: spelling (case, hyphens, spaces)",)
    assert merged["Low-Rank Adaptation"] == ("LoRA: abbreviation defined in the paper",)


def test_graph_data_keeps_the_generic_flag_of_broad_classes():
    broad = Entity(
        "large-language-model",
        "large language model",
        ConceptType.MODEL,
        Role.USED,
        (Mention("LLMs", 0, 4, "abstract"),),
        generic=True,
    )
    data = graph_data(PAPERS, [Extraction("p1", "One", (broad, ent("BERT", ConceptType.MODEL)))])
    assert {c.name: c.generic for c in data.concepts} == {
        "BERT": False,
        "large language model": True,
    }


def _twins() -> list[Extraction]:
    """Two concepts with one display name and two types (ids differ), in two papers."""
    return [
        Extraction("p1", "One", (ent("Mamba", ConceptType.MODEL, cid="mamba"),)),
        Extraction("p2", "Two", (ent("Mamba", ConceptType.DATASET, cid="mamba-dataset"),)),
    ]


def test_graph_data_keeps_concepts_that_share_a_name_apart():
    data = graph_data(PAPERS, _twins())
    assert [(c.id, c.name, c.type) for c in data.concepts] == [
        ("mamba", "Mamba", ConceptType.MODEL),
        ("mamba-dataset", "Mamba", ConceptType.DATASET),
    ]
    assert [(m.paper_id, m.concept_id) for m in data.mentions] == [
        ("p1", "mamba"),
        ("p2", "mamba-dataset"),
    ]


def test_to_networkx_keys_concepts_by_id_not_name():
    G = to_networkx(graph_data(PAPERS, _twins()))
    assert G.nodes[concept_node("mamba")]["type"] == "Model"
    assert G.nodes[concept_node("mamba-dataset")]["type"] == "Dataset"
    assert concept_node("Mamba") not in G
