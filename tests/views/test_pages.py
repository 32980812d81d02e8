"""The learner's pages through Django's test client: sign-in, dashboard, quiz, item."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from leak_search import searchable

from exercises import services
from exercises.models import Attempt, Quiz, Reveal

from .conftest import notes_item


def item_url(item) -> str:
    return reverse("exercises:item", args=[item.quiz_id, item.pk])


def send(client, attempt, answers: dict):
    """What the item page's script sends: JSON to the API, with the session."""
    return client.post(reverse("api:attempt-submissions", args=[attempt.pk]),
                       {"grads": answers}, content_type="application/json")


def graph_data(html: str) -> list[dict]:
    """The JSON each graph partial hands to graph.js."""
    blocks = re.findall(r'<script type="application/json">(.*?)</script>', html, re.S)
    return [json.loads(block) for block in blocks]


# -- signing in --------------------------------------------------------------------------
def test_login_page_renders_and_signs_in(client, demo):
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    assert b'name="username"' in page.content and b'name="password"' in page.content
    response = client.post("/accounts/login/", {"username": "learner", "password": "pw",
                                                "next": "/"})
    assert response.status_code == 302 and response.url == "/"


def test_wrong_password_is_explained(client, demo):
    page = client.post("/accounts/login/", {"username": "learner", "password": "nope"})
    assert page.status_code == 200
    assert b"did not match" in page.content


@pytest.mark.parametrize("url", ["/", "/quizzes/1/", "/quizzes/1/items/1/",
                                 "/preview/exercise/1/"])
def test_pages_need_sign_in(client, demo, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_sign_out_is_a_post_and_lands_on_login(learner_client):
    page = learner_client.get("/")
    assert b'action="/accounts/logout/"' in page.content
    response = learner_client.post("/accounts/logout/", {"next": "/accounts/login/"})
    assert response.status_code == 302 and response.url == "/accounts/login/"
    assert learner_client.get("/").status_code == 302


# -- dashboard and quiz ---------------------------------------------------------------------
def test_dashboard_lists_quizzes_with_progress(learner_client, notes_quiz, example3,
                                               django_assert_max_num_queries):
    learner = example3.quiz.course.learners.get()
    attempt, _ = services.start_attempt(learner, item=example3)
    services.submit(attempt, {"L": "1", "y": "15", "z": "7", "x": "36"})
    # 8 today: session, user, quizzes, attempts, the policy epoch, quiz overrides, …
    with django_assert_max_num_queries(8):
        page = learner_client.get("/")
    text = page.content.decode()
    assert "Backprop 101 (demo)" in text
    assert "The course notes, worked through" in text
    assert "1 of 11 solved" in text
    assert "1 of 11 points" in text
    assert "0 of 5 solved" in text


def test_dashboard_hides_scores_until_the_quiz_shows_them(learner_client, notes_quiz):
    notes_quiz.show_correctness = Reveal.AFTER_DUE
    notes_quiz.due_at = timezone.now() + timezone.timedelta(days=3)
    notes_quiz.save()
    text = learner_client.get("/").content.decode()
    assert "0 of 11 started" in text
    assert "Scores are shown after the due date" in text


def test_quiz_page_lists_items_without_n_plus_one(learner_client, notes_quiz,
                                                  django_assert_max_num_queries):
    url = reverse("exercises:quiz", args=[notes_quiz.pk])
    # 7 today (with the learner's quiz override), whatever the number of items
    with django_assert_max_num_queries(7):
        first = learner_client.get(url)
    assert first.content.decode().count('class="card item-card') == 11
    learner = notes_quiz.course.learners.get()
    for item in notes_quiz.items.all():  # an attempt on every item must not add queries
        services.start_attempt(learner, item=item)
    with django_assert_max_num_queries(7):
        second = learner_client.get(url)
    assert second.content.decode().count("started") >= 11


def test_other_courses_quizzes_are_not_found(client, demo, django_user_model):
    django_user_model.objects.create_user("stranger", password="pw")
    client.login(username="stranger", password="pw")
    quiz = Quiz.objects.first()
    assert client.get(reverse("exercises:quiz", args=[quiz.pk])).status_code == 404
    item = quiz.items.first()
    assert client.get(item_url(item)).status_code == 404


# -- the item page ----------------------------------------------------------------------------
def _number_in(text: str, number: str) -> bool:
    return re.search(rf"(?<![\w.]){re.escape(number)}(?![\w.])", searchable(text)) is not None


def test_item_page_never_shows_a_gradient_before_the_reveal(learner_client, example3):
    page = learner_client.get(item_url(example3))
    assert page.status_code == 200
    text = page.content.decode()
    # Example 3's gradients: ∂L/∂x = 36 (no data value is 36), ∂L/∂z = 7 — and no key.
    assert not _number_in(text, "36")
    assert '"grad":' not in text and "grad:" not in text
    nodes = graph_data(text)[0]["nodes"]
    assert {n["name"] for n in nodes} == {"x", "y", "z", "L"}  # one node per line
    assert all("grad" not in n for n in nodes)
    assert 'aria-label="gradient of x"' in text or "gradient of x</label>" in text


def test_solution_appears_once_the_policy_allows(learner_client, example3):
    url = item_url(example3)
    learner_client.get(url)
    attempt = Attempt.objects.get(item=example3)
    response = send(learner_client, attempt, {"L": "1", "y": "15", "z": "7", "x": "15"})
    assert response.status_code == 201
    text = learner_client.get(url).content.decode()
    assert "Solution" in text and _number_in(text, "36")
    solution = graph_data(text)[1]
    assert {n["name"]: n.get("grad") for n in solution["nodes"]}["x"] == "36"
    # the page renders the feedback itself: x wrong with the branch hint
    assert "x also feeds z" in text
    assert text.count("bp-verdict-correct") == 3 and text.count("bp-verdict-wrong") == 1


def submit_wrong_answers(client, item, **policy):
    """Set the item's quiz policy (due in two days), open the item and submit wrong
    answers to every node; the item's URL and the response."""
    quiz = item.quiz
    for name, value in policy.items():
        setattr(quiz, name, value)
    quiz.due_at = timezone.now() + timezone.timedelta(days=2)
    quiz.save()
    url = item_url(item)
    client.get(url)
    attempt = Attempt.objects.get(item=item)
    return url, send(client, attempt, {"L": "2", "y": "3", "z": "4", "x": "5"})


@pytest.mark.parametrize("setting", [Reveal.NEVER, Reveal.AFTER_DUE])
def test_no_gradient_after_submitting_when_the_policy_withholds_it(
        learner_client, example3, setting):
    url, response = submit_wrong_answers(learner_client, example3, show_solution=setting)
    assert response.status_code == 201
    payload = response.content.decode()
    assert not _number_in(payload, "36") and not _number_in(payload, "15")
    text = learner_client.get(url).content.decode()
    assert not _number_in(text, "36") and "Solution" not in text


X_FORMULA = "By the chain rule, ∂L/∂x = ∂L/∂y·∂y/∂x + ∂L/∂z·∂z/∂x"
X_WORKED = "∂L/∂x = 15·1 + 7·3 = 36"


@pytest.mark.parametrize("setting", [Reveal.NEVER, Reveal.AFTER_DUE])
def test_level_3_hint_shows_its_formula_until_the_solution_is_shown(
        learner_client, example3, setting):
    url, response = submit_wrong_answers(learner_client, example3, show_solution=setting,
                                         hint_level=3)
    assert response.status_code == 201
    data = response.json()
    x = data["nodes"]["x"]
    assert x["hint"] is not None, "no hint at all"
    assert x["hint"].endswith("with ∂y/∂x = 1 and ∂z/∂x = 3.") and X_FORMULA in x["hint"]
    assert "hint_formula" not in json.dumps(data)
    payload = response.content.decode()
    assert not _number_in(payload, "36") and not _number_in(payload, "15")
    text = learner_client.get(url).content.decode()
    assert X_FORMULA in text and X_WORKED not in text and not _number_in(text, "36")

    example3.quiz.show_solution = Reveal.IMMEDIATELY  # the policy now allows the numbers
    example3.quiz.save()
    text = learner_client.get(url).content.decode()
    assert X_WORKED in text and "Solution" in text


def test_hidden_correctness_shows_only_that_answers_were_saved(learner_client, example3):
    quiz = example3.quiz
    quiz.show_correctness = Reveal.AFTER_DUE
    quiz.show_solution = Reveal.AFTER_DUE
    quiz.due_at = timezone.now() + timezone.timedelta(days=2)
    quiz.save()
    learner_client.get(item_url(example3))
    attempt = Attempt.objects.get(item=example3)
    data = send(learner_client, attempt, {"L": "1", "y": "15", "z": "7", "x": "15"}).json()
    assert data["score"] is None and data["best_score"] is None
    assert all("correct" not in node for node in data["nodes"].values())
    assert "x also feeds z" not in json.dumps(data)
    page = learner_client.get(item_url(example3)).content.decode()
    assert "results are shown after the due date" in page
    assert "Step through" not in page  # verdicts per node would give it away


def test_two_weight_network_page_hides_its_gradients(learner_client, notes_quiz):
    item = notes_item(notes_quiz, "The two-weight network")
    text = learner_client.get(item_url(item)).content.decode()
    grads = {n["name"]: n["grad"] for n in item.exercise.variants.get().graph["nodes"]}
    for name in ("w1", "w2", "b2", "a1"):
        shown = f"{grads[name]:.4g}"
        assert shown.lstrip("-") not in text, name
    assert "0.6225" in text  # the data a1 = σ(0.5) is given


def test_item_page_queries_do_not_grow_with_the_quiz(learner_client, notes_quiz,
                                                     django_assert_max_num_queries):
    first, last = notes_quiz.items.first(), notes_quiz.items.last()
    for item in (first, last):
        learner_client.get(item_url(item))  # the attempt exists from here on
        with django_assert_max_num_queries(8):  # 7 today, for item 1 as for item 11
            assert learner_client.get(item_url(item)).status_code == 200


def test_forward_pass_exercise_asks_for_values(learner_client, example3):
    exercise = example3.exercise
    exercise.ask = "data"
    exercise.save()
    text = learner_client.get(item_url(example3)).content.decode()
    assert "value of y</label>" in text and "gradient of" not in text
    assert "Forward pass" in text
    data = graph_data(text)[0]
    assert data["order"][0] == "x" and data["order"][-1] == "L"
    assert {n["name"]: n["data"] for n in data["nodes"]}["y"] == "?"  # the value to find
    assert "answer-y" in text and "answer-x" not in text  # x's value is given


def test_forward_pass_input_asked_by_name_comes_filled_in(learner_client, example3):
    exercise = example3.exercise
    exercise.ask = "data"
    exercise.asked_nodes = ["x", "y", "L"]
    exercise.save()
    text = learner_client.get(item_url(example3)).content.decode()
    assert re.search(r'name="answer-x" value="5"[^>]*readonly', text)
    assert re.search(r'name="answer-y" value=""', text)


def test_quiz_that_is_not_open_explains_itself(learner_client, example3):
    quiz = example3.quiz
    quiz.opens_at = timezone.now() + timezone.timedelta(days=1)
    quiz.save()
    response = learner_client.get(item_url(example3))
    assert response.status_code == 403
    assert b"not open yet" in response.content


def test_page_weight_is_under_150_kb(learner_client, notes_quiz):
    from django.contrib.staticfiles import finders

    item = notes_item(notes_quiz, "The two-weight network")
    html = learner_client.get(item_url(item)).content
    own = re.findall(r'(?:src|href)="/static/((?!vendor/)[^"]+)"', html.decode())
    assert {"exercises/site.css", "exercises/graph.css", "exercises/graph.js",
            "exercises/quiz.js"} <= set(own)
    total = len(html) + sum(len(open(finders.find(path), "rb").read()) for path in set(own))
    assert total < 150 * 1024, total


# -- preview as learner ----------------------------------------------------------------------
def test_instructor_previews_an_exercise_as_a_learner(instructor_client, example3):
    url = reverse("exercises:preview_exercise", args=[example3.exercise_id])
    page = instructor_client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Preview as a learner" in text and "gradient of x</label>" in text
    assert not _number_in(text, "36")
    attempt = Attempt.objects.get(item=None, exercise=example3.exercise)
    response = send(instructor_client, attempt, {"L": "1", "y": "15", "z": "7", "x": "36"})
    assert response.status_code == 201
    assert "Solved." in instructor_client.get(url).content.decode()


def test_learners_cannot_preview(learner_client, example3):
    url = reverse("exercises:preview_exercise", args=[example3.exercise_id])
    assert learner_client.get(url).status_code == 404


def test_graph_partial_for_the_admin_preview_shows_gradients():
    from django.template.loader import render_to_string

    from exercises.engine import solve_text

    solution = solve_text("x = 5\ny = x + 2\nz = x * 3\nL = y * z",
                          granularity="gate").to_solution()
    html = render_to_string("exercises/_graph.html", {"graph": solution, "show_grads": True})
    data = graph_data(html)[0]
    assert {n["name"]: n.get("grad") for n in data["nodes"]}["x"] == "36"
    assert "<input" not in html and "exercises/graph.js" in html
    assert "2 <span class=\"bp-const\">(const)</span>" in html
