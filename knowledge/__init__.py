"""Knowledge index: embeddings, Chroma vector store, French lexical index, hybrid search.

`knowledge` depends on no other Relais package; `ingest`, `assistant`, `web` and `evals` use it.
"""
