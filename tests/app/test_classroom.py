"""AppTests of the classroom features (issue 6): reduced UIs (hide=/show=), presenter mode,
per-figure data export, "Reproduce in Python" snippets (executed), the preset gallery and the
guided tours."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest
from apptest_util import LESSONS, ROOT, arr, run_script, specs
from common import classroom, export
from common.figures import FONT_SIZE, PRESENTER_SCALE
from pagecontrols import recording
from streamlit.testing.v1 import AppTest

ENTRY = ROOT / "app" / "streamlit_app.py"
DEMO = ROOT / "tests" / "app" / "state_demo_app.py"
TIMEOUT = 180


# ---------------------------------------------------------------- helpers
def page_controls(script: Path) -> tuple[str, tuple]:
    """(page_key, controls) of a lesson script, without running its computations."""
    with recording(stop_after=True) as calls:
        AppTest.from_file(str(script), default_timeout=TIMEOUT).run()
    ((page_key, controls, _values),) = calls
    return page_key, controls


def demo_values(at: AppTest) -> dict:
    (line,) = [m.value for m in at.markdown if m.value.startswith("VALUES ")]
    return {k: eval(v) for k, v in re.findall(r"(\w+)=(\S+)", line)}


def widget_keys(at: AppTest) -> set[str]:
    kinds = ("slider", "select_slider", "selectbox", "number_input", "toggle")
    return {w.key for kind in kinds for w in getattr(at.sidebar, kind)}


def markdown_text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


WELCOME_NOTE = "One hidden ReLU layer"  # start of the welcome figure's note (classroom.note)


def has_note(at: AppTest) -> bool:
    return any(WELCOME_NOTE in c.value for c in at.caption)


# ---------------------------------------------------------------- reduced UIs
def test_hide_removes_widgets_but_values_still_apply():
    at = run_script(DEMO, 60, {"hide": "depth,activation", "depth": "3", "activation": "erf"})
    assert widget_keys(at) == {"width", "lr", "ntk"}
    assert demo_values(at) | {} == {"width": 256, "depth": 3, "activation": "erf", "lr": 0.5, "ntk": True}
    assert not at.warning
    # the hidden value still drives the figure (demo line = tanh(depth·x))
    (line, _) = specs(at)
    y = arr(line["data"][0]["y"])
    x = arr(line["data"][0]["x"])
    np.testing.assert_allclose(y, np.tanh(3 * x), atol=1e-6)


def test_show_keeps_only_named_controls_and_invalid_hidden_value_falls_back():
    at = run_script(DEMO, 60, {"show": "width,lr", "depth": "99"})
    assert widget_keys(at) == {"width", "lr"}
    assert demo_values(at)["depth"] == 2  # invalid hidden value → default, with the usual note
    assert any("depth=`'99'` is not valid" in w.value for w in at.warning)


def test_hide_text_on_a_lesson_hides_explanations_keeps_prompt_and_uses_hidden_width():
    at = run_script(ENTRY, TIMEOUT, {"hide": "width,text", "width": "16"})
    assert "width" not in widget_keys(at)
    text = markdown_text(at)
    assert "hands-on tour of the *Neural Tangent Kernel*" not in text
    assert not has_note(at)  # the figure's small print is explanatory text too
    assert "What to notice" in text or "Try this" in text  # prompt stays
    (spec,) = specs(at)
    assert any("width 16" in (t.get("name") or "") for t in spec["data"])
    # the share box offers the exact link (with the reduced-UI parameters) and a builder
    codes = [c.value for c in at.sidebar.code]
    assert any("width=16" in c and "hide=width,text" in c for c in codes), codes
    assert at.sidebar.multiselect(key="_ntk_share_hide_welcome").options == ["Network width"]


def test_share_builder_makes_reduced_link():
    at = run_script(DEMO, 60, {"depth": "3"})
    at.sidebar.multiselect(key="_ntk_share_hide_demo").set_value(["depth", "activation"]).run()
    at.sidebar.checkbox(key="_ntk_share_text_demo").check().run()
    codes = [c.value for c in at.sidebar.code]
    assert "?depth=3&hide=depth,activation,text" in codes, codes


def test_share_builder_show_only_takes_one_pick():
    """"Show only" (issue 14): keeping one control of five is one pick, and the link it writes shows
    exactly that control (and the explanations unless they are hidden too)."""
    at = run_script(DEMO, 60, {"depth": "3"})
    at.sidebar.checkbox(key="_ntk_share_only_demo").check().run()
    at.sidebar.multiselect(key="_ntk_share_show_demo").set_value(["lr"]).run()
    codes = [c.value for c in at.sidebar.code]
    assert "?depth=3&show=lr,text" in codes, codes
    at.sidebar.checkbox(key="_ntk_share_text_demo").check().run()
    codes = [c.value for c in at.sidebar.code]
    assert "?depth=3&show=lr" in codes, codes
    # the link does what it says: only lr has a widget, depth still drives the page
    opened = run_script(DEMO, 60, {"depth": "3", "show": "lr"})
    assert widget_keys(opened) == {"lr"} and demo_values(opened)["depth"] == 3
    # a page opened with show= starts the builder in that mode, with those controls picked
    assert opened.sidebar.checkbox(key="_ntk_share_only_demo").value
    assert opened.sidebar.multiselect(key="_ntk_share_show_demo").value == ["lr"]


# ---------------------------------------------------------------- presenter mode
def test_presenter_mode_shows_figures_and_prompt_only():
    at = run_script(ENTRY, TIMEOUT, {"present": "1"})
    text = markdown_text(at)
    assert "hands-on tour of the *Neural Tangent Kernel*" not in text
    assert "Try this" in text and "Move the width from 16 to 4096" in text
    assert not has_note(at)
    (spec,) = specs(at)
    assert spec["layout"]["font"]["size"] == round(FONT_SIZE * PRESENTER_SCALE)
    assert spec["layout"]["xaxis"]["title"]["font"]["size"] == round(FONT_SIZE * PRESENTER_SCALE)
    assert not at.get("download_button")  # no export clutter on the projector
    assert not [e for e in at.expander if e.label == "Reproduce in Python"]
    html = " ".join(h.proto.body for h in at.get("html"))
    assert "Presenter mode" in html and "font-size" in html
    at.sidebar.button(key="_ntk_present_leave_welcome").click().run()
    assert "present" not in at.query_params and "hands-on tour" in markdown_text(at)
    # normal mode: regular fonts, explanations, export and snippet present
    at = run_script(ENTRY, TIMEOUT)
    (spec,) = specs(at)
    assert spec["layout"]["font"]["size"] == FONT_SIZE
    assert "hands-on tour" in markdown_text(at) and has_note(at)
    assert [e for e in at.expander if e.label == "Reproduce in Python"]


# ---------------------------------------------------------------- export
def test_export_data_matches_the_figure_and_records_settings():
    at = run_script(ENTRY, TIMEOUT, {"width": "64"})
    labels = sorted(b.label for b in at.get("download_button"))
    assert labels == ["CSV", "JSON"]
    keys = {b.key for b in at.get("download_button")}
    assert keys == {"_ntk_csv_welcome_fit", "_ntk_json_welcome_fit"}
    state = at.session_state[classroom.PAGE_STATE]
    assert state == {"page": "welcome", "settings": {"width": 64}, "link": "?width=64"}

    (spec,) = specs(at)
    fig = go.Figure(spec)  # the figure exactly as the browser received it
    data = export.figure_data(fig, state["page"], state["settings"])
    payload = json.loads(export.to_json(data))
    assert payload["settings"] == {"width": 64} and payload["page"] == "welcome"
    assert [t["name"] for t in payload["traces"]] == [t.get("name") for t in spec["data"]]
    for t_json, t_spec in zip(payload["traces"], spec["data"]):
        for ax in ("x", "y"):
            if ax in t_spec:
                np.testing.assert_allclose(np.array(t_json[ax], float), arr(t_spec[ax]), rtol=1e-7)

    text = export.to_csv(data)
    assert "# width,64" in text and "# page,welcome" in text
    rows = list(csv.DictReader(line for line in io.StringIO(text) if not line.startswith("#")))
    n_points = sum(len(arr(t["y"])) for t in spec["data"] if "y" in t)
    assert len(rows) == n_points
    net = [t for t in spec["data"] if (t.get("name") or "").startswith("network")][0]
    net_rows = [r for r in rows if r["name"] == net["name"]]
    np.testing.assert_allclose([float(r["y"]) for r in net_rows], arr(net["y"]), rtol=1e-6)


def test_export_of_heatmap_and_animation_frames():
    z = np.arange(6, dtype=float).reshape(2, 3)
    fig = go.Figure(go.Heatmap(z=z, x=[10, 20, 30], y=[1, 2], name="K"),
                    frames=[go.Frame(data=[go.Heatmap(z=2 * z)], name="f1")])
    data = export.figure_data(fig, "p", {"a": 1})
    assert data["frames"][0]["traces"][0]["z"] == (2 * z).tolist()
    rows = list(csv.DictReader(line for line in io.StringIO(export.to_csv(data)) if not line.startswith("#")))
    assert len(rows) == 12  # 6 cells shown + 6 in frame f1
    r = [r for r in rows if r["frame"] == "" and r["i"] == "1" and r["j"] == "2"][0]
    assert (float(r["x"]), float(r["y"]), float(r["z"])) == (30.0, 2.0, 5.0)


# ---------------------------------------------------------------- snippets
# page_key of render_controls → lesson script, where the two names differ
GUIDE_SCRIPTS: dict[str, Path] = {}
SIX = ("welcome", "kernel_at_init", "training", "drift", "spectrum", "nngp")
LESSON_SCRIPTS = {name: LESSONS / f"{name}.py" for name in SIX}


@pytest.mark.parametrize("name", [*SIX, "lr_phases", "depth_init", "features", "scaling", "beyond_mlps"])
def test_reproduce_snippet_prints_the_page_number(name):
    import snippets

    page_key, controls = page_controls(LESSONS / f"{name}.py")
    defaults = {c.key: c.default for c in controls}
    code = snippets.render(page_key, defaults)
    assert "import ntkcore as nc" in code and "streamlit" not in code
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, f"<snippet {page_key}>", "exec"), {})  # noqa: S102
    last = out.getvalue().strip().splitlines()[-1]
    printed = float(last.rsplit("=", 1)[1])
    expected = snippets.expected(page_key, defaults)
    assert printed == pytest.approx(expected, rel=1e-5), (last, expected)


def test_reproduce_snippet_on_the_sphere():
    """The scaling snippet's sphere branch (not the page's default) prints the page's exponent."""
    import snippets

    page_key, controls = page_controls(LESSONS / "scaling.py")
    settings = {c.key: c.default for c in controls} | {"data": "sphere", "r": 1.0}
    code = snippets.render(page_key, settings)
    assert 'dataset, r, depth, ridge = "sphere", 1.0' in code
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<snippet scaling sphere>", "exec"), {})  # noqa: S102
    printed = float(out.getvalue().strip().splitlines()[-1].rsplit("=", 1)[1])
    assert printed == pytest.approx(snippets.expected(page_key, settings), rel=1e-5)


def test_snippet_is_shown_with_the_current_settings():
    at = run_script(LESSONS / "training.py", TIMEOUT, {"width": "64", "lr": "0.3"})
    (exp,) = [e for e in at.expander if e.label == "Reproduce in Python"]
    (code,) = exp.code
    assert "task, width, depth, activation = \"sine\", 64, 1, \"relu\"" in code.value
    assert "lr, steps, seed = 0.3, 1000, 0" in code.value


# ---------------------------------------------------------------- presets
def test_presets_point_to_existing_pages_with_valid_values():
    from presets import PRESETS, available, lesson_scripts

    scripts = lesson_scripts()
    assert len(available()) >= 5
    names = {p.name for p in PRESETS}
    for required in ("Jacot et al. Fig. 1", "Lee et al. width scaling", "neural-tangents cookbook",
                     "Lazy vs rich by output scale", "Spectral bias"):
        assert required in names
    cache: dict[str, dict] = {}
    for p in available():
        assert p.page in scripts and scripts[p.page].exists(), p
        assert p.what and p.params, p
        if p.page not in cache:
            _, controls = page_controls(scripts[p.page])
            cache[p.page] = {c.key: c for c in controls}
        controls = cache[p.page]
        for key, raw in p.params.items():
            assert key in controls, (p.name, key)
            ok, _ = controls[key].parse(raw)
            assert ok, (p.name, key, raw, controls[key].describe())


def test_preset_opens_without_fallback_warning():
    from presets import PRESETS

    (p,) = [p for p in PRESETS if p.name == "Wide networks are linear"]
    at = run_script(LESSONS / "training.py", TIMEOUT, p.params)
    assert not [w for w in at.warning if "not valid" in w.value]
    assert at.sidebar.select_slider(key="width").value == 4096


def test_gallery_page_has_one_card_link_per_preset():
    from presets import available

    at = AppTest.from_file(str(ENTRY), default_timeout=TIMEOUT)
    at.switch_page("lessons/presets.py").run()
    assert not at.exception
    assert at.title[0].value == "Preset gallery"
    links = [link for link in at.get("page_link")  # the cards' links, not the course's previous/next
             if not link.proto.label.startswith(("Previous: ", "Next: "))]
    assert len(links) == len(available())
    text = markdown_text(at)
    for p in available():
        assert p.name in text and p.what in text


# ---------------------------------------------------------------- guided tours
def test_every_guide_step_sets_valid_control_values():
    from guides import GUIDES

    for name in SIX:
        assert name in GUIDES and len(GUIDES[name]) >= 2, name
    for name, steps in GUIDES.items():
        page_key, controls = page_controls(GUIDE_SCRIPTS.get(name, LESSONS / f"{name}.py"))
        assert page_key == name
        by_key = {c.key: c for c in controls}
        for step in steps:
            for key, value in step.settings.items():
                assert key in by_key, (page_key, step.title, key)
                c = by_key[key]
                ok, parsed = c.parse(classroom.url_value(c, value))
                assert ok and parsed == value, (page_key, step.title, key, value)


def _right(page_key: str, i: int) -> str:
    """The right option of step ``i`` of a lesson's guided tour (shown in a shuffled order)."""
    from guides import GUIDES

    step = GUIDES[page_key][i]
    return step.options[step.answer]


def _wrong(radio, page_key: str, i: int) -> str:
    return next(o for o in radio.options if o != _right(page_key, i))


def test_guide_answers_are_not_in_one_place():
    """No display position holds more than half of the right answers (options are shown shuffled)."""
    from collections import Counter

    from guides import GUIDES

    steps = [step for steps in GUIDES.values() for step in steps]
    positions = Counter(step.order.index(step.answer) for step in steps)
    assert max(positions.values()) <= len(steps) / 2, positions
    for step in steps:  # a permutation, the same in every process (seeded by the step's text)
        assert sorted(step.order) == list(range(len(step.options)))
        assert step.order == type(step)(**{f: getattr(step, f) for f in
                                           ("title", "question", "options", "answer", "explanation")}).order


def test_guided_tour_hides_figures_until_answered_then_advances():
    at = run_script(ENTRY, TIMEOUT, {"guide": "1"})
    assert at.sidebar.select_slider(key="width").value == 16  # step 1 set the control
    assert not specs(at)
    assert any("answer the question" in i.value for i in at.info)
    assert "Try this" not in markdown_text(at)  # the prompt would give the answer away
    assert not has_note(at)  # and so could the figure's note
    assert at.button(key="_ntk_guide_welcome_next").disabled

    radio = at.radio(key="_ntk_guide_welcome_answer_0")
    assert not radio.disabled
    first_pick = _right("welcome", 0)
    assert first_pick in radio.options
    radio.set_value(first_pick).run()  # the right answer
    # locked on the prediction: a disabled radio showing it replaces the answering one
    assert [r.key for r in at.radio] == ["_ntk_guide_welcome_locked_0"]
    locked = at.radio(key="_ntk_guide_welcome_locked_0")
    assert locked.disabled and locked.value == first_pick
    assert len(specs(at)) == 1
    assert at.success and "Right" in at.success[0].value and not at.error
    assert "Try this" in markdown_text(at) and has_note(at)
    assert any("width 16" in (t.get("name") or "") for t in specs(at)[0]["data"])

    at.button(key="_ntk_guide_welcome_next").click().run()
    assert not at.exception
    assert at.sidebar.select_slider(key="width").value == 4096  # step 2's setting, also in the URL
    assert at.query_params["width"] == ["4096"] or at.query_params["width"] == "4096"
    assert not specs(at)
    radio = at.radio(key="_ntk_guide_welcome_answer_1")
    wrong = _wrong(radio, "welcome", 1)
    radio.set_value(wrong).run()  # a wrong answer: feedback names the right one
    assert at.error and "It shrinks to a few percent" in at.error[0].value
    locked = at.radio(key="_ntk_guide_welcome_locked_1")
    assert locked.disabled and locked.value == wrong
    assert len(specs(at)) == 1
    # going back shows step 1's prediction, still locked, and its verdict
    at.button(key="_ntk_guide_welcome_prev").click().run()
    assert at.radio(key="_ntk_guide_welcome_locked_0").value == first_pick
    assert at.success and not at.error
    at.button(key="_ntk_guide_welcome_next").click().run()
    assert at.error and not at.success
    at.button(key="_ntk_guide_welcome_finish").click().run()
    assert "guide" not in at.query_params
    assert len(specs(at)) == 1 and not at.get("radio")


def test_guided_tour_on_a_lesson_sets_several_controls():
    at = run_script(LESSONS / "spectrum.py", TIMEOUT, {"guide": "1"})
    radio = at.radio(key="_ntk_guide_spectrum_answer_0")
    radio.set_value(radio.options[0]).run()
    assert len(specs(at)) == 4
    at.button(key="_ntk_guide_spectrum_next").click().run()
    assert not at.exception
    assert at.sidebar.selectbox(key="target").value == "sin3"
    assert at.sidebar.select_slider(key="b_std").value == 0.0
    assert not specs(at)


def test_guided_tour_on_scaling_sets_r_and_reveals_the_fitted_exponent():
    at = run_script(LESSONS / "scaling.py", TIMEOUT, {"guide": "1"})
    assert at.sidebar.selectbox(key="data").value == "circle"
    assert at.sidebar.slider(key="r").value == 1.0  # step 1: b = 2r = 2
    assert not specs(at)
    radio = at.radio(key="_ntk_guide_scaling_answer_0")
    radio.set_value(_right("scaling", 0)).run()  # E ∝ n^−1
    assert at.success and "Right" in at.success[0].value and not at.error
    curve, _spectrum = specs(at)
    (fit,) = [t for t in curve["data"] if (t.get("name") or "").startswith("fit:")]
    assert "n<sup>−1.00" in fit["name"], fit["name"]
    assert next(m.value for m in at.metric if m.label == "Fitted exponent β").startswith("1.00")
    (exp,) = [e for e in at.expander if e.label == "Reproduce in Python"]  # the snippet follows the step
    assert 'dataset, r, depth, ridge = "circle", 1.0, 1, 0.0' in exp.code[0].value

    at.button(key="_ntk_guide_scaling_next").click().run()
    assert not at.exception
    assert at.sidebar.slider(key="r").value == 2.0
    assert at.query_params["r"] in (["2.0"], "2.0", ["2"], "2")
    assert not specs(at)
    radio = at.radio(key="_ntk_guide_scaling_answer_1")
    radio.set_value(_wrong(radio, "scaling", 1)).run()  # wrong: the feedback names "about 3"
    assert at.error and "About 3 = b − 1" in at.error[0].value
    curve, _spectrum = specs(at)
    (fit,) = [t for t in curve["data"] if (t.get("name") or "").startswith("fit:")]
    assert "n<sup>−2.88" in fit["name"], fit["name"]


def test_scaling_guide_numbers_are_the_pages():
    """Each step's explanation quotes the fitted exponent the page computes at that step's settings."""
    import snippets
    from guides import GUIDES

    page_key, controls = page_controls(LESSONS / "scaling.py")
    defaults = {c.key: c.default for c in controls}
    betas = [snippets.expected(page_key, defaults | step.settings) for step in GUIDES["scaling"]]
    assert 0.9 < betas[0] < 1.1 and 2.6 < betas[1] < 3.2 and 0.45 < betas[2] < 0.75, betas
    for step, beta in zip(GUIDES["scaling"], betas):
        assert f"{beta:.2f}" in step.explanation, (step.title, beta)


def test_beyond_mlps_guide_numbers_are_the_pages():
    """The tour's explanations quote ranks and similarities: check them against the page's computation."""
    from compute import beyond_mlps as C
    from guides import GUIDES

    quoted = [  # per step: {arch: (similarity, rank)} as stated in the explanation
        {"MLP": (0.12, 25), "CNN-GAP": (0.64, 1), "CNN-flatten": (0.11, 29)},
        {"MLP": (None, 48), "CNN-GAP": (0.41, 4), "CNN-flatten": (0.03, 44)},
        {"CNN-GAP": (None, 2), "CNN-flatten": (None, 42)},
    ]
    for step, q in zip(GUIDES["beyond_mlps"], quoted):
        s = step.settings
        for arch, (sim, rank) in q.items():
            r = C.similarity(C.shown_kernels(arch, s["depth"]),
                             C.shifted_row(arch, s["depth"], s["digit"], s["dx"], s["dy"]), s["digit"])
            assert r["rank"] == rank, (step.title, arch, r["rank"])
            if sim is not None:
                assert r["shifted"] == pytest.approx(sim, abs=0.006), (step.title, arch, r["shifted"])

