"""kg: knowledge graphs of methods, models, datasets and benchmarks from ML paper abstracts."""

from kg.model import ConceptType, Entity, Extraction, Mention, Paper, Role

__all__ = ["ConceptType", "Entity", "Extraction", "Mention", "Paper", "Role"]
__version__ = "0.1.0"
