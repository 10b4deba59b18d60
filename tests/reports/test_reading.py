"""Reading the figures: the contents list, tables that open and close, tables that scroll in
their own region, counted nouns that agree, and which figures print, for each role."""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element

import pytest

from consult.extensions import db
from consult.models import StaffRole
from tests import factories
from tests.html_checks import parse, text_of
from tests.reports.dataset import build_year

YEAR = "from=2015-04-01&to=2016-03-31"
# The tables the annual report leads with: open when the page opens.
HEADLINE = {"reviews_by_type", "views_by_role", "attendance_by_role", "participation_codes"}


@pytest.fixture
def year(app):
    return build_year()


def _get(app, user, url: str, status: int = 200) -> Element:
    browser = app.test_client()
    factories.sign_in(browser, user)
    response = browser.get(url)
    assert response.status_code == status, url
    return parse(response.get_data(as_text=True))


def _main(page: Element) -> Element:
    return page.find(".//main")


def _hidden_cells(page: Element, key: str) -> int:
    """How many cells of a table's data show [c]."""
    table = page.find(f".//*[@id='{key}']")
    assert table is not None, key
    return sum(1 for cell in table.iter("td") if text_of(cell) == "[c]")


def _which_figures(page: Element) -> str:
    """What the page says it shows: "exact", or "hidden" (small numbers hidden)."""
    notices = page.findall(".//*[@id='figures-notice']")
    assert len(notices) == 1
    return notices[0].get("data-figures")


@pytest.mark.parametrize("who", ["iro_a", "manager"])
def test_the_contents_lead_to_every_table_and_each_table_opens_and_closes(app, year, who):
    page = _get(app, getattr(year, who), f"/staff/reports/?{YEAR}")
    main = _main(page)
    ids = {element.get("id") for element in main.iter() if element.get("id")}
    contents = main.find(".//nav[@aria-label='Figures on this page']")
    targets = [link.get("href") for link in contents.iter("a")]
    assert targets and all(target.startswith("#") and target[1:] in ids for target in targets)

    figures = main.findall(".//details")
    keys = [details.get("id") for details in figures]
    # Every table of the page is in a details of its own, and the contents list names each.
    assert len(keys) == len(set(keys)) >= 10
    assert {f"#{key}" for key in keys} <= set(targets)
    tables_in_details = [table for details in figures for table in details.iter("table")]
    assert len(tables_in_details) == len(list(main.iter("table"))) == len(figures)
    # The headline tables start open, every other one closed.
    assert {details.get("id") for details in figures if details.get("open") is not None} \
        == HEADLINE
    for details in figures:
        summary = details.find("summary")
        assert summary is not None and text_of(summary)
    # A table too wide for the screen scrolls in its own region, which the keyboard can
    # reach and which is named by the table's caption.
    for details in figures:
        region = details.find(".//div[@role='region']")
        assert region is not None and region.get("tabindex") == "0"
        caption = region.find("table/caption")
        assert caption.get("id") == region.get("aria-labelledby") and text_of(caption)


def test_an_iros_screen_is_exact_and_prints_hidden_unless_they_choose_exact(app, year):
    page = _get(app, year.iro_a, f"/staff/reports/?{YEAR}")
    assert _which_figures(page) == "exact"
    assert _hidden_cells(page, "reviews_by_type") == 0
    choices = {text_of(link): link.get("href")
               for link in page.findall(".//div[@class='print-choices no-print']//a")}
    assert set(choices) == {"Print view with small numbers hidden",
                            "Print view of your exact figures"}
    assert "figures=exact" in choices["Print view of your exact figures"]
    assert "figures=" not in choices["Print view with small numbers hidden"]
    # The exact figures' notice no longer says they are for the screen only.
    assert "screen only" not in text_of(page.find(".//*[@id='figures-notice']"))

    hidden = _get(app, year.iro_a, f"/staff/reports/print?{YEAR}&scope=mine")
    assert _which_figures(hidden) == "hidden"
    assert _hidden_cells(hidden, "reviews_by_type") > 0
    assert hidden.find(".//details") is None  # every table laid out, open, to print
    exact = _get(app, year.iro_a, f"/staff/reports/print?{YEAR}&scope=mine&figures=exact")
    assert _which_figures(exact) == "exact"
    assert _hidden_cells(exact, "reviews_by_type") == 0
    assert {section.get("id") for section in exact.iter("section")} >= HEADLINE


def test_exact_figures_print_only_for_an_iros_own_reviews(app, year):
    admin = factories.staff(StaffRole.ADMIN, name="Ada")
    db.session.commit()
    refused = [
        (year.iro_a, f"/staff/reports/print?{YEAR}&scope=service&figures=exact"),
        (year.manager, f"/staff/reports/print?{YEAR}&figures=exact"),
        (year.manager, f"/staff/reports/print?{YEAR}&scope={year.iro_a.id}&figures=exact"),
        (admin, f"/staff/reports/print?{YEAR}&figures=exact"),
    ]
    for user, url in refused:
        page = _get(app, user, url, status=400)
        summary = page.find(".//div[@class='error-summary']")
        assert [link.get("href") for link in summary.iter("a")] == ["#scope"], url
    for user, url in ((year.iro_a, f"/staff/reports/print?{YEAR}&scope=service"),
                      (year.manager, f"/staff/reports/print?{YEAR}"),
                      (admin, f"/staff/reports/print?{YEAR}&figures=anything")):
        page = _get(app, user, url)
        assert _which_figures(page) == "hidden", url
        assert _hidden_cells(page, "reviews_by_type") > 0, url
    # A manager's screen prints as it shows: the one print view, with small numbers hidden.
    screen = _get(app, year.manager, f"/staff/reports/?{YEAR}")
    links = [text_of(link) for link in screen.findall(".//div[@class='print-choices no-print']//a")]
    assert links == ["Print view with small numbers hidden"]


def test_hidden_figures_print_only_for_whole_months_but_an_iros_exact_ones_for_any_days(
        app, year):
    days = "from=2015-04-10&to=2015-08-20"
    screen = _get(app, year.iro_a, f"/staff/reports/?{days}")
    links = [text_of(link) for link in screen.findall(".//div[@class='print-choices no-print']//a")]
    assert links == ["Print view of your exact figures"]
    exact = _get(app, year.iro_a, f"/staff/reports/print?{days}&scope=mine&figures=exact")
    assert _which_figures(exact) == "exact"
    refused = _get(app, year.iro_a, f"/staff/reports/print?{days}&scope=mine", status=400)
    assert refused.find(".//div[@class='error-summary']") is not None


@pytest.mark.parametrize("role", [StaffRole.IRO, StaffRole.MANAGER, StaffRole.ADMIN])
def test_the_annual_pack_prints_with_small_numbers_hidden_for_everyone(app, year, role):
    user = {StaffRole.IRO: year.iro_a, StaffRole.MANAGER: year.manager}.get(role) \
        or factories.staff(role)
    db.session.commit()
    pack = _get(app, user, "/staff/reports/annual?year=2015")
    assert _which_figures(pack) == "hidden"
    assert _hidden_cells(pack, "reviews_by_type") > 0
    assert "screen only" not in text_of(pack.find(".//*[@id='figures-notice']"))


def test_no_count_of_one_takes_a_plural_verb_on_any_figures_page(app, year, monkeypatch):
    # Nothing hidden, so the counts of 1 in this year are shown.
    monkeypatch.setitem(app.config, "REPORT_SUPPRESSION_THRESHOLD", 1)
    pages = [
        _get(app, year.iro_a, f"/staff/reports/?{YEAR}"),
        _get(app, year.iro_a, f"/staff/reports/print?{YEAR}&scope=mine&figures=exact"),
        _get(app, year.manager, f"/staff/reports/?{YEAR}"),
        _get(app, year.manager, "/staff/reports/annual?year=2015"),
    ]
    disagreeing = re.compile(r"(?<![\d.,])1 (?:\w+ )?(?:were|are|have)\b")
    for page in pages:
        text = text_of(_main(page))
        assert not disagreeing.search(text), disagreeing.search(text)
    pack = text_of(_main(pages[-1]))
    assert "1 was a second review" in pack and "1 was a subsequent review" in pack


def test_the_903_page_counts_its_reviews_in_agreeing_words(app, year):
    admin = factories.staff(StaffRole.ADMIN, name="Ada")
    db.session.commit()
    # R1 (28 April 2015) is the only review held in April 2015.
    page = _get(app, admin, "/staff/reports/903?from=2015-04-01&to=2015-04-30")
    lead = next(p for p in _main(page).iter("p") if "held, from the IROs'" in text_of(p))
    assert text_of(lead).startswith("1 review held,")
