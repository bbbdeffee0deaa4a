"""The answer check's decision from the question survey's evidence."""

from models.support import AskedPart, AskedTerm, QuestionCoverage
from policy.checks.answer import UNCOVERED_WEIGHT, answer_problem


def coverage(
    specificity: float, articles: dict[str, float] | None = None, **unknown: float
) -> QuestionCoverage:
    terms = [AskedTerm(term=t, weight=w) for t, w in unknown.items()]
    part = AskedPart(specificity=specificity, unknown=terms)
    return QuestionCoverage(
        asks=True, specificity=specificity, parts=[part], articles=articles or {}
    )


def problem(found: QuestionCoverage, cited: tuple[str, ...] = ("sso",)) -> str | None:
    return answer_problem(found, cited, english=True)


def test_a_question_whose_specific_words_no_article_uses_is_not_covered() -> None:
    found = problem(coverage(9.0, provisioning=2.8, scim=4.1, hand=0.1))
    assert found == "the knowledge base does not cover: scim, provisioning, hand"


def test_a_question_the_knowledge_base_knows_is_covered() -> None:
    assert problem(coverage(6.0)) is None


def test_one_rare_word_in_a_question_does_not_hold_it() -> None:
    """A name or a typo: specific, unknown, but not enough to say the KB lacks the answer."""
    assert problem(coverage(3.0, zoltan=UNCOVERED_WEIGHT - 0.5)) is None


def test_unknown_words_in_a_question_mostly_about_known_things_do_not_hold_it() -> None:
    """ "Batch" and "staging" in a question about the rate limit's 429 answers."""
    assert problem(coverage(12.0, batch=1.6, staging=1.9, script=1.1)) is None


def test_each_question_of_a_mail_is_judged_alone() -> None:
    """Three questions, each in a few words of the customer's own, are not one uncovered
    question; one question of three that no article covers is."""
    own_words = [
        AskedPart(specificity=4.0, unknown=[AskedTerm(term=w, weight=2.0)])
        for i, w in enumerate(["batch", "staging", "script"])
    ]
    mail = QuestionCoverage(asks=True, specificity=12.0, parts=own_words)
    assert problem(mail) is None
    scim = AskedPart(specificity=5.0, unknown=[AskedTerm(term="scim", weight=4.1)])
    mixed = mail.model_copy(update={"parts": [*own_words, scim]})
    assert problem(mixed) == "the knowledge base does not cover: scim"


def test_a_mail_that_asks_nothing_goes_to_a_person() -> None:
    nothing = QuestionCoverage(asks=False, specificity=0.0)
    assert problem(nothing) == "the mail asks no question and makes no request"
    assert answer_problem(nothing, ["sso"], english=False) == problem(nothing)


def test_a_question_another_article_covers_much_better_doubts_the_cited_one() -> None:
    found = coverage(6.0, articles={"sso": 0.2, "scim": 0.6, "billing": 0.1})
    assert problem(found) == "scim covers more of the question (60%) than the cited article (20%)"
    assert problem(coverage(6.0, articles={"sso": 0.4, "scim": 0.6})) is None


def test_word_weights_are_english_so_other_languages_are_left_to_the_language_check() -> None:
    found = coverage(20.0, articles={"sso": 0.0, "scim": 0.5}, facturas=5.5, descargar=3.8)
    assert problem(found) is not None
    assert answer_problem(found, ["sso"], english=False) is None


def test_a_question_naming_something_no_article_names_is_not_covered() -> None:
    teams = AskedPart(specificity=4.4, unnamed=["Teams"])
    found = QuestionCoverage(asks=True, specificity=4.4, parts=[teams])
    assert problem(found) == "the knowledge base never names: Teams"
    assert answer_problem(found, ["sso"], english=False) is None
