"""Surface form -> canonical name -> concept id, and the tests for what is not a concept.

Pure functions on strings; the spaCy components call them.
"""

from __future__ import annotations

import re
from functools import lru_cache

from kg.model import ConceptType, concept_key

# "7B", "1.5B", "70b", "8x7B", "350M", "13B": a model size, kept as a property, not part of the name.
SIZE = r"(?:\d+x)?\d+(?:\.\d+)?[BMK]"
_SIZE_TAIL = re.compile(rf"(?:[\s\-_]*\(?\s*(?P<size>{SIZE})\s*\)?)$")
_SIZE_INNER = re.compile(rf"[\-_\s](?P<size>{SIZE})(?=[\-_\s])")
# "Qwen2.5-Instruct", "Llama-2-chat-hf": checkpoints of one model family, not new concepts.
_CHECKPOINT_SUFFIX = re.compile(r"(?:[\-_ ](?:Instruct|instruct|Chat|chat|Base|base|hf|it))+$")
_CITATION_KEY = re.compile(r"^[a-z]+(?:19|20)\d\d[a-z]+\d*$")
_NUMBER = re.compile(r"^[\d.,%x×\s+\-]+[a-zA-Z]?$")
_ACRONYM_PLURAL = re.compile(r"^(?P<stem>[A-Z][A-Za-z0-9\-]*[A-Z0-9])s$")
_PLURAL_HEADS = frozenset(
    [
        "models",
        "networks",
        "transformers",
        "machines",
        "encoders",
        "decoders",
        "autoencoders",
        "embeddings",
        "agents",
        "learners",
        "classifiers",
        "detectors",
        "generators",
    ]
)
_IRREGULAR = {"indices": "index", "matrices": "matrix", "analyses": "analysis", "data": "data"}

GENERIC = frozenset(
    [
        "our",
        "method",
        "our",
        "approach",
        "our",
        "model",
        "our",
        "framework",
        "our",
        "system",
        "this",
        "work",
        "this",
        "paper",
        "the",
        "model",
        "the",
        "method",
        "the",
        "approach",
        "the",
        "framework",
        "the",
        "system",
        "method",
        "methods",
        "approach",
        "approaches",
        "model",
        "models",
        "framework",
        "frameworks",
        "system",
        "systems",
        "algorithm",
        "algorithms",
        "technique",
        "techniques",
        "data",
        "dataset",
        "datasets",
        "benchmark",
        "benchmarks",
        "task",
        "tasks",
        "metric",
        "metrics",
        "baseline",
        "baselines",
        "experiment",
        "experiments",
        "result",
        "results",
        "network",
        "networks",
        "architecture",
        "performance",
        "accuracy",
        "training",
        "inference",
        "paper",
        "work",
        "study",
        "analysis",
        "state",
        "of",
        "the",
        "art",
        "sota",
        "new",
        "novel",
        "proposed",
        "existing",
        "previous",
        "prior",
    ]
) | {
    "our method",
    "our approach",
    "our model",
    "our framework",
    "our system",
    "this work",
    "this paper",
    "the model",
    "the method",
    "the approach",
    "the framework",
    "state of the art",
    "previous work",
    "prior work",
    "existing methods",
    "baseline models",
    "extensive experiments",
    # hyperparameters and resources, not concepts of the graph
    "learning rate",
    "batch size",
    "weight decay",
    "training data",
    "test set",
    "training set",
    "natural language",
    "ground truth",
}

# Acronyms that are not concepts of ML research (countries, hardware, file types, generic words).
STOP_ACRONYMS = frozenset(
    [
        "NLP",
        "CV",
        "NL",
        "DNA",
        "RNA",
        "EHR",
        "AI",
        "ML",
        "US",
        "USA",
        "UK",
        "EU",
        "UN",
        "API",
        "APIs",
        "CPU",
        "CPUs",
        "GPU",
        "GPUs",
        "TPU",
        "TPUs",
        "RAM",
        "PDF",
        "URL",
        "URLs",
        "HTML",
        "JSON",
        "CSV",
        "SQL",
        "XML",
        "IT",
        "OK",
        "PhD",
        "MSc",
        "BSc",
        "ID",
        "IDs",
        "IQ",
        "TV",
        "PC",
        "PCs",
        "ASCII",
        "UTF",
        "FAQ",
        "FAQs",
        "CEO",
        "AM",
        "PM",
        "USD",
        "EUR",
        "GB",
        "MB",
        "KB",
        "TB",
        "SOTA",
        "TL",
        "DR",
        "TLDR",
        "II",
        "III",
        "IV",
        "VI",
        "VII",
        "VIII",
        "IX",
        "XI",
        "XII",
        "NB",
        "NOTE",
    ]
)


def split_size(name: str) -> tuple[str, str | None]:
    """Split a model size off a name; the size becomes a property.

    Example:
        >>> split_size("Llama-3 (8B)")
        ('Llama-3', '8B')
        >>> split_size("Qwen2.5-7B")
        ('Qwen2.5', '7B')
        >>> split_size("Mixtral 8x7B")
        ('Mixtral', '8x7B')
        >>> split_size("Qwen2.5-7B-Instruct")
        ('Qwen2.5-Instruct', '7B')
        >>> split_size("GPT-4o")
        ('GPT-4o', None)
    """
    match = _SIZE_TAIL.search(name)
    if match and match.start() > 0:
        return name[: match.start()].rstrip(" -_("), match.group("size")
    match = _SIZE_INNER.search(name)
    if match and match.start() > 0:
        return name[: match.start()] + name[match.end() :], match.group("size")
    return name, None


@lru_cache(maxsize=1 << 14)
def singular(phrase: str) -> str:
    """Fold a plural head noun of a lowercase phrase or a plural acronym.

    Example:
        >>> singular("large language models")
        'large language model'
        >>> singular("LLMs")
        'LLM'
        >>> singular("diffusion models")
        'diffusion model'
        >>> singular("Vision Transformers")
        'Vision Transformer'
        >>> singular("Transformers")
        'Transformers'
        >>> singular("loss")
        'loss'
    """
    acronym = _ACRONYM_PLURAL.match(phrase)
    if acronym:
        return acronym.group("stem")
    head, sep, last = phrase.rpartition(" ")
    if phrase != phrase.lower():
        if sep and last.lower() in _PLURAL_HEADS:
            return f"{head}{sep}{last[:-1]}"
        return phrase
    if last in _IRREGULAR:
        last = _IRREGULAR[last]
    elif last.endswith("ies") and len(last) > 4:
        last = last[:-3] + "y"
    elif last.endswith(("sses", "shes", "ches", "xes")):
        last = last[:-2]
    elif last.endswith("s") and not last.endswith(("ss", "us", "is")) and len(last) > 3:
        last = last[:-1]
    return f"{head}{sep}{last}"


def canonical_name(surface: str) -> tuple[str, str | None]:
    """Return the display name and the size for a surface form.

    Example:
        >>> canonical_name("the Llama-3 (8B)")
        ('Llama-3', '8B')
        >>> canonical_name("Qwen2.5-72B-Instruct")
        ('Qwen2.5', '72B')
        >>> canonical_name("Vision Transformers")
        ('Vision Transformer', None)
        >>> canonical_name("large language models")
        ('large language model', None)
    """
    text = re.sub(r"\s+", " ", surface).strip(" ,;:.'\"")
    text = re.sub(r"^(?:the|a|an|our|their|its)\s+", "", text, flags=re.IGNORECASE)
    text = re.sub(r"['’]s$", "", text)
    base, size = split_size(text)
    base = _CHECKPOINT_SUFFIX.sub("", base) or base
    return singular(base), size


def concept_id(name: str) -> str:
    """Concept id of a display name: the key shared across papers.

    Example:
        >>> concept_id("ResNet-50") == concept_id("ResNet50")
        True
    """
    return concept_key(name)


def is_citation_key(text: str) -> bool:
    """True for BibTeX keys that leak into abstracts ("qi2023fine").

    Example:
        >>> is_citation_key("lewis2021paq"), is_citation_key("GPT-4")
        (True, False)
    """
    return bool(_CITATION_KEY.match(text))


def is_not_concept(text: str) -> bool:
    """True for numbers, generic phrases, citation keys and stop acronyms.

    Example:
        >>> [is_not_concept(t) for t in ("our method", "85%", "qi2023fine", "GPU", "LoRA")]
        [True, True, True, True, False]
    """
    stripped = text.strip()
    if len(stripped) < 2 or not any(c.isalpha() for c in stripped):
        return True
    return (
        stripped.lower() in GENERIC
        or stripped in STOP_ACRONYMS
        or bool(_NUMBER.match(stripped))
        or is_citation_key(stripped)
    )


_HEAD_TYPES: tuple[tuple[ConceptType, tuple[str, ...]], ...] = (
    (
        ConceptType.BENCHMARK,
        (
            "benchmark",
            "suite",
            "leaderboard",
            "bench",
            "arena",
            "testbed",
            "evaluation",
            "eval",
            "challenge",
            "test",
        ),
    ),
    (
        ConceptType.DATASET,
        ("dataset", "corpus", "corpora", "data", "collection", "treebank", "database", "set"),
    ),
    (
        ConceptType.METRIC,
        (
            "score",
            "metric",
            "accuracy",
            "error",
            "rate",
            "distance",
            "precision",
            "recall",
            "index",
            "measure",
            "divergence",
        ),
    ),
    (
        ConceptType.TASK,
        (
            "recognition",
            "classification",
            "detection",
            "segmentation",
            "translation",
            "answering",
            "summarization",
            "summarisation",
            "retrieval",
            "parsing",
            "captioning",
            "tracking",
            "estimation",
            "reconstruction",
            "forecasting",
            "completion",
            "understanding",
            "reasoning",
            "synthesis",
            "labeling",
            "labelling",
            "localization",
            "grounding",
            "editing",
            "task",
        ),
    ),
    (
        ConceptType.MODEL,
        (
            "model",
            "models",
            "llm",
            "llms",
            "lm",
            "lms",
            "vlm",
            "vlms",
            "network",
            "net",
            "transformer",
            "encoder",
            "decoder",
            "family",
            "checkpoint",
            "gpt",
            "bert",
            "former",
            "agent",
            "assistant",
            "chatbot",
            "classifier",
        ),
    ),
    (
        ConceptType.METHOD,
        (
            "method",
            "approach",
            "framework",
            "algorithm",
            "technique",
            "strategy",
            "pipeline",
            "mechanism",
            "architecture",
            "loss",
            "module",
            "paradigm",
            "optimization",
            "optimisation",
            "learning",
            "tuning",
            "training",
            "adaptation",
            "distillation",
            "attention",
            "search",
            "sampling",
            "decoding",
            "prompting",
            "regularization",
            "normalization",
            "pruning",
            "quantization",
            "augmentation",
            "alignment",
            "embedding",
            "encoding",
            "generation",
            "inversion",
            "merging",
            "averaging",
            "scheme",
            "procedure",
            "policy",
            "layer",
            "tokenizer",
            "protocol",
            "toolkit",
            "library",
        ),
    ),
)
_HEAD_INDEX = {word: ctype for ctype, words in _HEAD_TYPES for word in words}


def type_from_head(head: str) -> ConceptType | None:
    """Concept type suggested by a head noun ("dataset", "benchmark", "model", ...).

    Example:
        >>> type_from_head("Benchmarks"), type_from_head("framework"), type_from_head("cat")
        (<ConceptType.BENCHMARK: 'Benchmark'>, <ConceptType.METHOD: 'Method'>, None)
    """
    word = head.lower().strip(" .,;:()")
    return _HEAD_INDEX.get(word) or _HEAD_INDEX.get(singular(word))


_PREPOSITION = re.compile(r"\s+(?:for|of|from|with|via|on|in|by|through|using|to)\s+")
_MODEL_SHAPE = re.compile(
    rf"(?:\d|{SIZE}$|GPT|BERT|LLaMA|Llama|LM$|Net$|Former$|former$|Diffusion|CLIP|ViT|T5|Qwen|Mistral)"
)
_BENCH_SHAPE = re.compile(r"(?:Bench|BENCH|Eval|EVAL|Arena|QA|Test)$")


def infer_type(name: str, *, head: str | None = None) -> ConceptType:
    """Guess the type of a name the gazetteer does not know, from a head noun or its shape.

    Example:
        >>> infer_type("AgentBench"), infer_type("Qwen2.5"), infer_type("Text-Tag Self-Distillation")
        (<ConceptType.BENCHMARK: 'Benchmark'>, <ConceptType.MODEL: 'Model'>, <ConceptType.METHOD: 'Method'>)
        >>> infer_type("Transfer Framework for Fake News Detection")
        <ConceptType.METHOD: 'Method'>
        >>> infer_type("Molmo", head="family")
        <ConceptType.MODEL: 'Model'>
    """
    if head and (by_head := type_from_head(head)):
        return by_head
    # "Transfer Framework for Fake News Detection": the head comes before the preposition.
    core = _PREPOSITION.split(name.strip(), maxsplit=1)[0]
    last = re.split(r"[\s\-]+", core)[-1]
    if " " in name.strip() and (by_last := type_from_head(last)):
        return by_last
    if _BENCH_SHAPE.search(name):
        return ConceptType.BENCHMARK
    if _MODEL_SHAPE.search(name):
        return ConceptType.MODEL
    if by_last := type_from_head(last):
        return by_last
    return ConceptType.METHOD
