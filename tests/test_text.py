"""Search normalization."""

from api.store.text import index_text, normalize, query_terms


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
