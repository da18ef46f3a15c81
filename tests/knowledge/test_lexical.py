import pytest

from knowledge.lexical import LexicalIndex, tokenize

pytestmark = pytest.mark.unit


def test_feminine_unaccented_and_inclusive_titles_give_the_same_tokens():
    assert tokenize("infirmière") == tokenize("infirmiere") == tokenize("infirmier")
    assert tokenize("boulangère") == tokenize("boulanger")
    assert tokenize("éducatrice spécialisée") == tokenize("educateur specialise")
    assert tokenize("contrôleur/euse aérien/ne") == tokenize("contrôleur aérien")


def test_chat_words_and_stop_words_are_dropped():
    assert tokenize("jsuis en terminale, comment devenir infirmière svp ?") == tokenize("terminale infirmier")


def test_search_ranks_the_document_that_names_the_job(tmp_path):
    index = LexicalIndex.build(
        ["a", "b", "c"],
        ["Boulanger : il pétrit la pâte et cuit le pain", "Infirmier : il soigne les patients", "Pilote de ligne"],
        version=3,
    )
    assert [cid for cid, _ in index.search("je veux devenir infirmière", k=2)] == ["b"]
    index.save(tmp_path)
    reloaded = LexicalIndex.load(tmp_path)
    assert reloaded.version == 3
    assert reloaded.search("boulangère", k=1)[0][0] == "a"


def test_mask_restricts_results_to_allowed_chunks():
    index = LexicalIndex.build(["a", "b"], ["bourse étudiante", "bourse au mérite"], version=1)
    assert {cid for cid, _ in index.search("bourse", k=5)} == {"a", "b"}
    assert [cid for cid, _ in index.search("bourse", k=5, allowed=index.mask({"b"}))] == ["b"]


def test_query_without_known_words_returns_nothing():
    index = LexicalIndex.build(["a"], ["bourse étudiante"], version=1)
    assert index.search("xylophone", k=5) == []
    assert index.search("   ", k=5) == []
