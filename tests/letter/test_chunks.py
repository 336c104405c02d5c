"""Letters cut into chunks, and the bounded cache of what each chunk became: what decides how much
pandoc is asked for, and that a long build does not grow without bound."""

from __future__ import annotations

from alletter.letter.chunks import ChunkCache, top_level_chunks


def test_a_letter_is_cut_at_blank_lines_outside_fenced_divs() -> None:
    markdown = "First paragraph\nstill first.\n\n\n::: {.address}\nLine one\n\nLine two\n:::\n\n- a list\n- of two\n"
    assert top_level_chunks(markdown) == [
        "First paragraph\nstill first.",
        "::: {.address}\nLine one\n\nLine two\n:::",
        "- a list\n- of two",
    ]


def test_nested_fences_close_in_order() -> None:
    markdown = "::: {.outer}\n::: {.inner}\nx\n\ny\n:::\n\nz\n:::\n\nafter"
    assert top_level_chunks(markdown) == ["::: {.outer}\n::: {.inner}\nx\n\ny\n:::\n\nz\n:::", "after"]


def test_missing_lists_each_unknown_chunk_once_in_order_and_returns_the_kept() -> None:
    cache: ChunkCache[str] = ChunkCache()
    cache.put("boilerplate", "B")
    kept, missing = cache.missing([["own one", "boilerplate", "shared"], ["shared", "boilerplate", "own two"]])
    assert kept == {"boilerplate": "B"}
    assert missing == ["own one", "shared", "own two"]


def test_the_cache_forgets_what_does_not_recur_and_keeps_what_does() -> None:
    cache: ChunkCache[int] = ChunkCache(capacity=2)
    cache.put("boilerplate", 0)
    cache.put("letter 1", 1)
    cache.put("letter 2", 2)  # young full: it becomes the old generation
    assert cache.get("boilerplate") == 0  # found in the old one: back to the young one
    cache.put("letter 3", 3)  # young full again: the old generation (letter 1) is dropped
    assert cache.get("letter 1") is None
    assert cache.get("boilerplate") == 0
    assert cache.get("letter 3") == 3


def test_putting_a_kept_chunk_again_does_not_turn_the_generations() -> None:
    cache: ChunkCache[int] = ChunkCache(capacity=2)
    cache.put("a", 1)
    cache.put("b", 2)
    cache.put("b", 3)  # already young: replaced in place
    cache.put("c", 4)  # now the young one turns: a and b become old, still found
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, 3, 4)
