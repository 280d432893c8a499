"""Search normalization."""

import pytest
from pydantic import ValidationError

from api.store.search import field_impacts
from api.store.text import Synonyms, index_text, normalize, query_terms, synonyms, tokens
from schemas.synonyms import SynonymsFile


def test_arabic_folding():
    assert normalize("السيسى") == normalize("السيسي") == "السيسي"
    assert normalize("أمريكيّة") == "امريكيه"
    assert normalize("إنفاذ") == "انفاذ"
    assert normalize("مـصـر") == "مصر"


def test_latin_folding():
    assert normalize("Égypte el-Sisi") == "egypte el-sisi"


def test_query_terms_strip_arabic_prefixes():
    assert query_terms("بالقاهرة") == ["قاهره"]
    assert query_terms("والسيسي مصر") == ["سيسي", "مصر"]
    assert "قاهره" in index_text("مباحثات أمنية روسية مصرية بالقاهرة").split()


def test_compatibility_forms_and_persian_letters_fold_before_arabic_folding():
    assert normalize("ﺍﻟﻘﺎﻫﺮﺓ") == normalize("القاهرة") == "القاهره"
    assert normalize("روسیا") == "روسيا"
    assert normalize("کرملین") == "كرملين"
    assert normalize("ﻻ") == "لا"


def test_every_decimal_digit_folds_to_ascii():
    assert normalize("٢٠٢٣ ۱۴۰۲ ４０") == "2023 1402 40"


def test_folding_a_string_is_folding_each_character():
    text = "Égypte ﺍﻟﻘﺎﻫﺮﺓ بـ٤٠ ألف روسیا İstanbul ﬁ ǅ ½"
    assert normalize(text) == "".join(normalize(ch) for ch in text)
    for cut in range(len(text)):
        assert normalize(text).startswith(normalize(text[:cut]))


def test_numbers_are_read_as_numbers():
    assert tokens("40,000 missiles") == tokens("40 000 missiles") == tokens("٤٠٬٠٠٠ missiles") == ["40000", "missiles"]
    assert tokens("بـ40 ألف صاروخ") == ["40000", "صاروخ"]
    assert tokens("$3.5 billion arms deal in 2014") == ["3500000000", "arms", "deal", "in", "2014"]
    assert tokens("2023م و2024") == ["2023", "2024"]
    assert tokens("03:50 م") == ["3", "50", "م"]
    assert tokens("February 10, 2015, 1 2345") == ["february", "10", "2015", "1", "2345"]
    assert tokens("in 2014 thousands marched") == ["in", "2014", "thousands", "marched"]  # a year is not multiplied
    assert tokens("S-400 and MiG29") == ["s", "400", "and", "mig29"]  # inside a word, digits stay part of it
    assert tokens("0" * 5000) == ["0"]


def test_query_and_index_read_a_synonym_phrase_as_one_word():
    assert query_terms("Egypt backed down") == ["egypt", "backed down"]
    assert "backed down" in field_impacts("Egypt later backed down from that plan")
    assert synonyms().of_term("rockets") == ("rockets", "missile", "missiles", "rocket", "صاروخ", "صواريخ")
    assert synonyms().of_term("egypt") == ("egypt",)


def test_a_synonym_in_two_groups_is_refused_and_groups_that_fold_together_are_one():
    with pytest.raises(ValidationError, match="member 'Rocket' is in groups 'a' and 'b'"):
        SynonymsFile.model_validate({"groups": [{"id": "a", "description": "x", "members": ["rocket", "missile"]},
                                                {"id": "b", "description": "y", "members": ["Rocket", "projectile"]}]})
    table = Synonyms.of([["rocket", "missile"], ["Rockét", "projectile"]])
    assert table.of_term("projectile") == ("projectile", "rocket", "missile")
