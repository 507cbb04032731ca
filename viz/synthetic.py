"""A synthetic corpus with realistic ML names, for view benchmarks and browser tests (no extraction).

Concept popularity follows a Zipf law, as in real corpora: a few concepts (Transformer, GPT-4,
MMLU) appear everywhere, most appear once or twice.
"""

from __future__ import annotations

import random
from itertools import product

from kg.model import ConceptType, Entity, Extraction, Mention, Paper, Role, concept_key

# One line per type (a type may take several lines): the common names, most popular first.
_HEAD_NAMES = """
Method: Transformer|Self-Attention|LoRA|Chain-of-Thought|RLHF|DPO|In-Context Learning
Method: Retrieval-Augmented Generation|Mixture of Experts|Knowledge Distillation
Method: Contrastive Learning|Diffusion|FlashAttention|Instruction Tuning|Prompt Tuning
Method: Speculative Decoding|Quantization|PPO|Graph Neural Network|Variational Autoencoder
Method: Masked Language Modeling|Federated Learning|Neural Radiance Fields|Gaussian Splatting
Method: Rotary Position Embedding|Beam Search|Layer Normalization|Dropout|Adam|QLoRA
Model: GPT-4|Llama 2|BERT|GPT-3.5|Llama 3|Mistral 7B|CLIP|T5|ViT|RoBERTa|Stable Diffusion
Model: Mixtral 8x7B|Whisper|PaLM|Gemini|Qwen|DeepSeek-V2|Vicuna|Alpaca|BLIP-2|LLaVA|SAM
Model: DINOv2|ResNet-50|Flan-T5|Codex|StarCoder|Phi-2|DALL-E 2|Claude 3
Dataset: ImageNet|COCO|C4|The Pile|LAION-5B|SQuAD|Common Crawl|Wikipedia|MS MARCO
Dataset: Natural Questions|HotpotQA|TriviaQA|CIFAR-10|LibriSpeech|ShareGPT|OpenWebText
Benchmark: MMLU|GSM8K|HumanEval|BIG-Bench|HellaSwag|TruthfulQA|MT-Bench|GLUE|SuperGLUE|MATH
Benchmark: AlpacaEval|WinoGrande|VQAv2|MBPP|LongBench|HELM|ARC
Task: Question Answering|Machine Translation|Summarization|Image Classification
Task: Object Detection|Text-to-Image Generation|Code Generation|Mathematical Reasoning
Task: Semantic Segmentation|Speech Recognition|Instruction Following|Dialogue
Task: Named Entity Recognition|Visual Question Answering|Video Generation
Task: Hallucination Detection|Sentiment Analysis|Information Retrieval
Metric: Accuracy|F1|BLEU|ROUGE-L|Perplexity|Exact Match|pass@k|FID|CLIP Score|Win Rate
Metric: BERTScore|mAP|WER|Top-1 Accuracy
"""


def _parse_names(text: str) -> dict[ConceptType, list[str]]:
    names: dict[ConceptType, list[str]] = {}
    for line in text.strip().splitlines():
        kind, _, row = line.partition(": ")
        names.setdefault(ConceptType(kind), []).extend(row.split("|"))
    return names


_HEAD = _parse_names(_HEAD_NAMES)
_ADJ = (
    "Sparse Hierarchical Adaptive Multi-Scale Causal Efficient Robust Latent Recurrent Progressive"
)
_NOUN = "Attention Distillation Decoding Fine-Tuning Pretraining Routing Adapters Prompting Memory"
_DOMAIN = "Med Code Math Law Bio Chem Geo Fin Sci Web Video Audio Robo Multi Chart Table"
_SUFFIX = {
    ConceptType.DATASET: "Corpus Instruct Set -1M",
    ConceptType.BENCHMARK: "QA Bench Eval Arena",
}
_SIZES = "7B 13B 70B Large Base XL"


def _tail(kind: ConceptType) -> list[str]:
    """Long-tail names built from parts: "Sparse Routing", "MedQA", "Llama 2 13B"."""
    if kind is ConceptType.METHOD:
        return [f"{a} {n}" for a, n in product(_ADJ.split(), _NOUN.split())]
    if kind in _SUFFIX:
        return [f"{d}{s}" for d, s in product(_DOMAIN.split(), _SUFFIX[kind].split())]
    if kind is ConceptType.MODEL:
        return [f"{m} {s}" for m, s in product(_HEAD[kind][:12], _SIZES.split())]
    if kind is ConceptType.TASK:
        return [f"{d} {t}" for d, t in product(_DOMAIN.split(), _HEAD[kind][:6])]
    return [f"{m}@{k}" for m, k in product(("Recall", "Precision", "NDCG", "Hit"), (1, 5, 10, 100))]


VOCABULARY: dict[ConceptType, list[str]] = {k: _HEAD[k] + _tail(k) for k in _HEAD}
_SHARE = {  # how many concepts of each type a paper names, at most
    ConceptType.METHOD: 3,
    ConceptType.MODEL: 2,
    ConceptType.DATASET: 1,
    ConceptType.BENCHMARK: 2,
    ConceptType.TASK: 1,
    ConceptType.METRIC: 1,
}


def synthetic_corpus(n_papers: int, *, seed: int = 0) -> tuple[list[Paper], list[Extraction]]:
    """`n_papers` papers with titles, years, arXiv links and 3-10 concepts each.

    Example:
        >>> papers, extractions = synthetic_corpus(3)
        >>> len(papers), len(extractions), papers[0].url.startswith("https://arxiv.org/abs/")
        (3, 3, True)
    """
    rng = random.Random(seed)
    weights = {k: [1 / (i + 1) ** 1.1 for i in range(len(v))] for k, v in VOCABULARY.items()}
    papers, extractions = [], []
    for i in range(n_papers):
        picked = {
            kind: sorted(set(rng.choices(VOCABULARY[kind], weights[kind], k=rng.randint(0, most))))
            for kind, most in _SHARE.items()
        }
        method = (picked[ConceptType.METHOD] or ["Transformer"])[0]
        task = (picked[ConceptType.TASK] or ["Reasoning"])[0]
        year = 2017 + i % 9
        paper_id = f"{year % 100:02d}{1 + i % 12:02d}.{10000 + i:05d}"
        title = f"{rng.choice(_OPENERS)} {method} for {task}"
        papers.append(
            Paper(
                id=paper_id,
                title=title,
                abstract=f"We study {method} for {task}.",
                year=year,
                url=f"https://arxiv.org/abs/{paper_id}",
            )
        )
        entities = tuple(
            _entity(name, kind, Role.PROPOSED if name == method and i % 3 == 0 else Role.USED)
            for kind, names in picked.items()
            for name in names
        )
        extractions.append(Extraction(paper_id=paper_id, title=title, entities=entities))
    return papers, extractions


_OPENERS = (
    "Revisiting",
    "Scaling",
    "Towards Robust",
    "On the Limits of",
    "Efficient",
    "Understanding",
    "Rethinking",
    "A Survey of",
)


def _entity(name: str, kind: ConceptType, role: Role) -> Entity:
    mention = Mention(text=name, start=0, end=len(name), field="abstract")
    return Entity(
        concept_id=concept_key(name), name=name, type=kind, role=role, mentions=(mention,)
    )
