"""Mermaid flowcharts in the notes' form: import, export with data and grad, round trips."""

from __future__ import annotations

import math
import re
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from exercises.engine import CONST, INPUT, Graph, ProgramError, is_mermaid, ops, solve_text
from exercises.engine.mermaid import parse_mermaid, to_mermaid

DEMO = Path(__file__).resolve().parents[2] / "exercises" / "demo"
BOX = re.compile(r'(\w+)\["([^"]*)"\]')


def diagram_numbers(text: str) -> dict[str, tuple[Fraction, Fraction]]:
    """name -> (data, grad) as written in a diagram's boxes."""
    found = {}
    for _, label in BOX.findall(text):
        parts = re.split(r"<br/>", label)
        fields = dict(p.split(": ", 1) for p in parts[1:] if ": " in p)
        if "data" in fields and "grad" in fields:
            found[parts[0]] = (Fraction(fields["data"]), Fraction(fields["grad"]))
    return found


# -- the notes' three diagrams ------------------------------------------------------------------

@pytest.mark.parametrize("name", ["refresher_1", "refresher_2", "refresher_3"])
def test_notes_diagrams_solve_to_their_own_numbers(name):
    text = (DEMO / f"{name}.mmd").read_text()
    written = diagram_numbers(text)
    g = parse_mermaid(text).solve()
    assert written, "the diagram should carry numbers"
    for node_name, (data, grad) in written.items():
        assert g[node_name].data == data, node_name
        assert g[node_name].grad == grad, node_name
    assert {n.name for n in g.nodes if n.kind != CONST} == set(written)


def test_refresher_3_structure():
    g = parse_mermaid((DEMO / "refresher_3.mmd").read_text())
    assert [n.name for n in g.nodes if n.kind == INPUT] == ["x"]
    assert sorted(n.data for n in g.nodes if n.kind == CONST) == [2, 3]
    assert g["y"].op.name == "add" and g["z"].op.name == "mul" and g["L"].op.name == "mul"
    assert [g.nodes[i].name for i in g["L"].inputs] == ["y", "z"]
    assert g.output.name == "L"


def test_grads_in_a_diagram_are_ignored():
    text = """flowchart LR
        a["a<br/>data: 3<br/>grad: 999"] --> plus(("+"))
        b["b<br/>data: 2<br/>grad: nonsense"] --> plus
        plus --> c["c<br/>data: 1234<br/>grad: -7"]
    """
    g = parse_mermaid(text).solve()
    assert g["c"].data == 5 and g["a"].grad == 1 and g["b"].grad == 1


def test_diagram_dialects():
    text = """%% a comment
graph TD
    classDef value fill:#fff
    a["a<br/>data: −3"] -->|in| sq(("²"));
    sq --> s["s"]
    s --> m((×))
    h["h<br>data = 1/3"] ==> m
    m --> out(out)
    style out fill:#f9f
    """
    g = parse_mermaid(text).solve()
    assert g["a"].data == -3
    assert g["h"].data == Fraction(1, 3)
    assert g["out"].data == 3
    assert g["a"].grad == 2 * -3 * Fraction(1, 3)


def test_chained_edges_and_late_labels():
    text = 'flowchart LR\n    x --> e(("exp")) --> y["y"]\n    x["x<br/>data: 0"]\n'
    g = parse_mermaid(text).solve()
    assert g["y"].data == 1.0 and g["x"].grad == 1.0


def test_op_without_result_box_is_named_by_its_circle():
    g = parse_mermaid('flowchart LR\n    a["a<br/>data: 2"] --> sq(("^2"))\n').solve()
    assert g.output.name == "sq" and g["a"].grad == 4


def test_is_mermaid():
    assert is_mermaid("flowchart LR\n  a --> b\n")
    assert is_mermaid("%% comment\n\ngraph TD\n")
    assert not is_mermaid("x = 1\ny = x + 1\n")
    assert not is_mermaid("# flowchart\nx = 1\n")


@pytest.mark.parametrize("word", ["graph", "flowchart"])
def test_programs_whose_first_name_is_a_mermaid_word_are_programs(word):
    """`graph = 2` starts a program, not a flowchart (is_mermaid looks at the first word only)."""
    g = solve_text(f"{word} = 2\nw = 3\ny = {word} * w\n")
    assert g["y"].data == 6


# -- import errors ------------------------------------------------------------------------------

ERRORS = {
    "cycle": ("""flowchart LR
    a["a<br/>data: 1"] --> p(("+"))
    c --> p
    p --> c["c"]
""", "cycle", None),
    "two_outputs": ("""flowchart LR
    a["a<br/>data: 1"] --> p(("+"))
    b["b<br/>data: 2"] --> p
    p --> c["c"]
    a --> q(("exp"))
    q --> d["d"]
""", "one output", None),
    "unknown_op_symbol": ("""flowchart LR
    a["a<br/>data: 1"] --> p(("%"))
    b["b<br/>data: 2"] --> p
    p --> c["c"]
""", "unknown operation", 2),
    "op_with_wrong_arity": ("""flowchart LR
    a["a<br/>data: 1"] --> p(("+"))
    p --> c["c"]
""", "unknown operation", 2),
    "missing_data": ("""flowchart LR
    a["a"] --> p(("exp"))
    p --> c["c"]
""", "no data", 2),
    "not_a_number": ("""flowchart LR
    a["a<br/>data: three"] --> p(("exp"))
    p --> c["c"]
""", "not a number", 2),
    "value_fed_twice": ("""flowchart LR
    a["a<br/>data: 1"] --> p(("exp"))
    a --> q(("tanh"))
    p --> c["c"]
    q --> c
""", "several incoming", None),
    "value_fed_by_value": ("""flowchart LR
    a["a<br/>data: 1"] --> c["c"]
""", "put an operation", None),
    "op_with_two_results": ("""flowchart LR
    a["a<br/>data: 1"] --> p(("exp"))
    p --> c["c"]
    p --> d["d"]
""", "several values", 2),
    "no_header": ("""a["a<br/>data: 1"] --> p(("exp"))
""", "flowchart", 1),
    "unreadable_node": ("""flowchart LR
    a["a<br/>data: 1"] --> p(("exp")) junk [
""", "cannot read", 2),
    "relabelled": ("""flowchart LR
    a["a<br/>data: 1"] --> p(("exp"))
    a["b<br/>data: 2"] --> p
""", "defined twice", 3),
    "duplicate_names": ("""flowchart LR
    a["x<br/>data: 1"] --> p(("+"))
    b["x<br/>data: 2"] --> p
    p --> c["c"]
""", "two nodes", None),
    "empty": ("flowchart LR\n", "no nodes", None),
    "too_long": ("flowchart LR\n" + "%%" + "x" * 20_000 + "\n", "limit", None),
    "too_many_nodes": ("flowchart LR\n" + "".join(f"v{i} --> p\n" for i in range(501)),
                       "500", 501),
}


@pytest.mark.parametrize("text,fragment,line", list(ERRORS.values()), ids=list(ERRORS))
def test_import_errors(text, fragment, line):
    with pytest.raises(ProgramError) as info:
        parse_mermaid(text).solve()
    assert fragment in str(info.value)
    if line is not None:
        assert info.value.line == line
        assert str(info.value).startswith(f"line {line}: ")


# -- names from a diagram are plain ASCII, as in programs ------------------------------------------

ADDITION = """flowchart LR
    a["a<br/>data: 3"] --> plus(("+"))
    b["b<br/>data: 2"] --> plus
    plus --> c["c<br/>data: 5"]
"""

NON_ASCII = {
    # id: (diagram, line, what the message names, the character named)
    "label_name": (ADDITION.replace('"b<br/>', '"\u0430<br/>'), 3, "the name '\u0430'",
                   "U+0430 CYRILLIC SMALL LETTER A"),
    "result_label_name": (ADDITION.replace('"c<br/>', '"c\u0430<br/>'), 4,
                          "the name 'c\u0430'", "U+0430"),
    "fullwidth_label_name": (ADDITION.replace('"b<br/>', '"\uff42<br/>'), 3,
                             "the name '\uff42'", "FULLWIDTH LATIN SMALL LETTER B"),
    "combining_mark_in_label": (ADDITION.replace('"b<br/>', '"b\u0302<br/>'), 3,
                                "the name 'b\u0302'", "U+0302 COMBINING CIRCUMFLEX ACCENT"),
    "box_id_without_label": ("flowchart LR\n    x\u0430 --> p((\"exp\"))\n", 2,
                             "the node id 'x\u0430'", "U+0430"),
    "id_starting_with_a_look_alike": (ADDITION.replace("b[", "\u0431["), 3,
                                      "the node id '\u0431'", "CYRILLIC SMALL LETTER BE"),
    # An op with no result box is named by its circle's id.
    "circle_id": ("flowchart LR\n    a[\"a<br/>data: 1\"] --> \u0435xp((\"exp\"))\n", 2,
                  "the node id '\u0435xp'", "CYRILLIC SMALL LETTER IE"),
}


@pytest.mark.parametrize("text,line,named,character", list(NON_ASCII.values()),
                         ids=list(NON_ASCII))
def test_non_ascii_names_and_ids_are_refused(text, line, named, character):
    with pytest.raises(ProgramError) as info:
        parse_mermaid(text).solve()
    error = info.value
    assert error.line == line, str(error)
    assert error.message.startswith(f"{named} has a character that is not a plain letter, "
                                    "digit or underscore (")
    assert character in error.message and error.message.endswith("): use ASCII names")


def test_look_alike_label_message():
    with pytest.raises(ProgramError) as info:
        parse_mermaid(ADDITION.replace('"b<br/>', '"\u0430<br/>'))
    assert str(info.value) == (
        "line 3: the name '\u0430' has a character that is not a plain letter, digit or "
        "underscore ('\u0430', U+0430 CYRILLIC SMALL LETTER A): use ASCII names")


def test_non_ascii_op_symbols_and_numbers_are_still_read():
    g = parse_mermaid('flowchart LR\n    a["a<br/>data: −3"] --> m(("×"))\n'
                      '    two["2<br/>(const)"] --> m\n    m --> L["L"]\n').solve()
    assert g.names == ["a", "two", "L"]
    assert g["L"].data == -6 and g["a"].grad == 2


# -- export ------------------------------------------------------------------------------------

def test_export_fills_data_and_grad():
    g = solve_text((DEMO / "refresher_3.txt").read_text(), granularity="gate")
    text = to_mermaid(g)
    assert text.startswith("flowchart LR\n")
    numbers = diagram_numbers(text)
    for name in ("x", "y", "z", "L"):
        assert numbers[name] == (g[name].data, g[name].grad)
    assert text.count("(const)") == 2
    assert '(("×"))' in text and '(("+"))' in text
    assert "grad" not in to_mermaid(g, grads=False)


def test_export_matches_the_notes_diagram_numbers():
    """Example 2's program exports the same boxes (name, data, grad) as the notes' diagram."""
    g = solve_text((DEMO / "refresher_2.txt").read_text())
    assert diagram_numbers(to_mermaid(g)) == diagram_numbers(
        (DEMO / "refresher_2.mmd").read_text())


def test_export_keeps_non_decimal_inputs_exact():
    g = Graph()
    a = g.add_input("a", Fraction(1, 3))
    g.add_op(ops.REGISTRY["mul"], [a, a], name="sq")
    again = parse_mermaid(to_mermaid(g.solve())).solve()
    assert again["a"].data == Fraction(1, 3)
    assert again["sq"].data == Fraction(1, 9)


def test_single_node_graph():
    g = Graph()
    g.add_input("a", 4)
    again = parse_mermaid(to_mermaid(g.solve())).solve()
    assert again.output.name == "a" and again["a"].data == 4 and again["a"].grad == 1


def same_graph(a: Graph, b: Graph) -> None:
    """Same nodes (a diagram has no order: compared by name), edges, ops and numbers."""
    assert sorted((n.name, n.kind) for n in a.nodes if n.kind != CONST) == sorted(
        (n.name, n.kind) for n in b.nodes if n.kind != CONST)
    assert a.output.name == b.output.name
    for n in a.nodes:
        m = b[n.name]
        assert m.kind == n.kind
        assert [a.nodes[i].name for i in n.inputs] == [b.nodes[i].name for i in m.inputs]
        assert (n.op and (n.op.name, n.op.exponent)) == (m.op and (m.op.name, m.op.exponent))
        assert type(m.data) is type(n.data) and type(m.grad) is type(n.grad), n.name
        if type(n.grad) is Fraction:
            assert m.data == n.data and m.grad == n.grad, n.name
        else:  # a diagram has no node order, so float sums may be taken in another order
            assert math.isclose(m.data, n.data, rel_tol=1e-13), n.name
            assert math.isclose(m.grad, n.grad, rel_tol=1e-13, abs_tol=1e-300), n.name


@pytest.mark.parametrize("path", sorted(DEMO.glob("*.txt")), ids=lambda p: p.stem)
def test_demo_programs_round_trip(path):
    g = solve_text(path.read_text())
    same_graph(g, parse_mermaid(to_mermaid(g)).solve())


@pytest.mark.parametrize("path", sorted(DEMO.glob("*.mmd")), ids=lambda p: p.stem)
def test_demo_diagrams_round_trip(path):
    g = solve_text(path.read_text())
    same_graph(g, parse_mermaid(to_mermaid(g)).solve())


@pytest.mark.parametrize("name", ["end", "graph", "style", "class_", "click", "direction",
                                  "flowchart", "subgraph", "linkStyle", "classDef",
                                  "endpoint", "ending", "end2", "subgraphs", "graphs"])
def test_names_that_look_like_mermaid_keywords_round_trip(name):
    g = Graph()
    a, w = g.add_input(name, 2), g.add_input("w", 3)
    g.add_op(ops.REGISTRY["mul"], [a, w], name="y")
    g.solve()
    same_graph(g, parse_mermaid(to_mermaid(g)).solve())


def test_renamed_keyword_does_not_collide_with_a_real_name():
    """`end` is exported as box n_end; a node really called n_end must stay distinct."""
    g = Graph()
    a, b = g.add_input("end", 2), g.add_input("n_end", 3)
    g.add_op(ops.REGISTRY["mul"], [a, b], name="y")
    g.solve()
    same_graph(g, parse_mermaid(to_mermaid(g)).solve())


# -- random graphs: export then import gives the same graph -------------------------------------

VALUES = ["-2", "-0.5", "0.3", "1", "1.5", "2.5"]
ALL_OPS = list(ops.REGISTRY.values()) + [ops.power(Fraction(n)) for n in ("2", "-1", "1/2")]
TANH = ops.REGISTRY["tanh"]


@st.composite
def graphs(draw):
    g = Graph()
    nodes = [g.add_input(f"in{i}", Fraction(draw(st.sampled_from(VALUES))))
             for i in range(draw(st.integers(1, 3)))]
    if draw(st.booleans()):
        nodes.append(g.add_const(Fraction(draw(st.sampled_from(VALUES)))))
    read: set[int] = set()
    for j in range(draw(st.integers(1, 8))):
        op = draw(st.sampled_from(ALL_OPS))
        args = [draw(st.sampled_from(nodes)) for _ in range(op.arity)]
        try:
            value = op.forward(*(a.data for a in args))
            op.local_derivative(tuple(a.data for a in args), value)
            if abs(value) > 1e6:
                raise ArithmeticError
        except ArithmeticError:
            op, args = TANH, args[:1]
            value = op.forward(args[0].data)
        node = g.add_op(op, args, name=f"v{j}")
        node.data = value
        read.update(a.index for a in args)
        nodes.append(node)
    loose = [n for n in nodes if n.index not in read]
    while len(loose) > 1:
        loose.append(g.add_op(ops.REGISTRY["add"], [loose.pop(0), loose.pop(0)]))
    if g.output.kind != "op":
        g.add_op(TANH, [g.output])
    return g


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs())
def test_random_graphs_round_trip(g):
    try:
        g.solve()
    except ProgramError:
        return
    note(to_mermaid(g))
    same_graph(g, parse_mermaid(to_mermaid(g)).solve())


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet='ab12 -=>()[]"<br/>:.|%;σ×+\n', max_size=40), max_size=6))
def test_arbitrary_diagram_text_is_refused_or_solved(lines):
    text = "flowchart LR\n" + "\n".join(lines)
    try:
        parse_mermaid(text).solve()
    except ProgramError:
        pass
