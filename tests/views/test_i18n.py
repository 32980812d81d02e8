"""Translation (issue #17): English and German, chosen by the learner (the header's switch)
or by the browser's Accept-Language; the German catalogue complete and compiled."""

from __future__ import annotations

import gettext
from pathlib import Path

import polib
import pytest
from django.urls import reverse

LOCALE = Path(__file__).resolve().parents[2] / "locale"
GERMAN = LOCALE / "de" / "LC_MESSAGES"


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_every_german_entry_is_translated(domain):
    catalogue = polib.pofile(str(GERMAN / f"{domain}.po"))
    assert len(catalogue) > 20
    assert catalogue.untranslated_entries() == []
    assert catalogue.fuzzy_entries() == []


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_the_compiled_catalogue_matches_its_source(domain):
    """The .mo files are committed: one left stale by an edit of the .po fails here."""
    source = polib.pofile(str(GERMAN / f"{domain}.po"))
    with open(GERMAN / f"{domain}.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in source.translated_entries():
        if entry.msgctxt:  # one word, two meanings ("change": a diff, or to change)
            assert compiled.pgettext(entry.msgctxt, entry.msgid) == entry.msgstr, entry.msgid
        elif entry.msgid_plural:
            assert compiled.ngettext(entry.msgid, entry.msgid_plural, 1) == entry.msgstr_plural[0]
            assert compiled.ngettext(entry.msgid, entry.msgid_plural, 2) == entry.msgstr_plural[1]
        else:
            assert compiled.gettext(entry.msgid) == entry.msgstr, entry.msgid


@pytest.mark.django_db
def test_accept_language_chooses_german(client):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9,en;q=0.5")
    html = page.content.decode()
    assert '<html lang="de">' in html
    assert "Anmelden" in html and "Benutzername" in html
    english = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-GB").content.decode()
    assert '<html lang="en">' in english and "Username" in english


@pytest.mark.django_db
def test_the_switch_overrides_the_browser(client):
    response = client.post(reverse("set_language"), {"language": "de", "next": "/accounts/login/"},
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    html = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Anmelden" in html
    # the switch itself is on every page, with the languages named in their own words
    assert 'name="language"' in html and ">Deutsch<" in html and ">English<" in html


def test_where_answers_are_taken_is_said_in_the_learners_language():
    """The decision is stored in English; the page says it in the learner's language."""
    from django.utils import translation

    from exercises.disclosure import Disclosure

    fields = {"correctness_at": None, "solution": {}, "hint_level": 2, "step_through": False,
              "attempts_allowed": None, "until": None, "epoch": 0}
    elsewhere = Disclosure(home=False, elsewhere="(stored)", elsewhere_at={"quiz": "Midterm"},
                           **fields)
    with translation.override("de"):
        assert elsewhere.elsewhere_text() == (
            "Diese Zahlen kommen auch im Quiz „Midterm“ vor, das noch läuft: Antworten dafür "
            "werden dort angenommen.")
    item = Disclosure(home=False, elsewhere="", elsewhere_at={"item": 3}, **fields)
    assert item.elsewhere_text() == ("These numbers are also item 3 of this quiz: answers for "
                                     "them are taken there.")
    assert Disclosure(home=True, elsewhere="", elsewhere_at={}, **fields).elsewhere_text() == ""
