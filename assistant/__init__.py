"""The assistant: personal-data scrubbing, drafting with citations, charter checks.

`assistant` uses `knowledge`; `web` and `evals` use `assistant`.
"""
