"""Small faults from issue #17: the favicon on admin pages, the invalid-input message."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string

pytestmark = pytest.mark.django_db


def test_admin_pages_name_the_site_icon(admin_client):
    page = admin_client.get("/admin/").content.decode()
    assert 'rel="icon"' in page and "favicon.svg" in page


def test_favicon_ico_is_not_a_404(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("exercises/favicon.svg")


def test_the_invalid_input_message_ends_its_sentence():
    html = render_to_string("exercises/_node_feedback.html", {
        "status": "invalid",
        "error": "could not read '4x' as a number or arithmetic (e.g. 0.25, 1/4, 2*0.5*(1-0.5))"})
    assert "(1-0.5)). This costs nothing" in html
    html = render_to_string("exercises/_node_feedback.html", {
        "status": "invalid", "error": "Too long."})
    assert "Too long. This costs nothing" in html
