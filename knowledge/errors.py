"""Domain errors of the knowledge index; the edges turn them into French messages."""


class KnowledgeError(RuntimeError):
    """Base class: the message is French and safe to show to an operator."""


class IndexMismatch(KnowledgeError):
    """The index was built with another embedding model (name or dimension)."""


class IndexUnavailable(KnowledgeError):
    """The vector store cannot be reached or opened."""
