"""A foster carer's journey and an IRO's, through the same gates as the child's."""

from __future__ import annotations

import pytest

from consult.models import InviteeRole
from tests.browser.gates import contrast_ratio
from tests.browser.journeys import AdultJourney, ChildJourney, IroJourney
from tests.browser.server import shipped_locales

WORDS = "Amanuel is settled and doing well at school."


@pytest.mark.parametrize("language", shipped_locales())
def test_a_foster_carer_gives_their_views(phone, live_server, language):
    page, gates = phone(language)
    journey = AdultJourney(page, gates, language)

    journey.open_link(live_server.link(InviteeRole.FOSTER_CARER, language))
    journey.start()
    if language == "en_GB":
        journey.answer_questions(WORDS)
    else:
        # Page after page in English. In the other languages, to keep the run short, the
        # pages only adults see; their question pages are the children's template, which
        # the child's journey checks in every language.
        journey.go_to_check_answers()
    journey.send()

    assert gates.checked[-1] == "send"


def _iro_signed_in(phone, live_server, login):
    # IROs work at a desk: a laptop's screen.
    page, gates = phone(viewport={"width": 1280, "height": 800}, is_mobile=False,
                        has_touch=False, device_scale_factor=1)
    iro = IroJourney(page, gates)
    iro.sign_in(live_server.url, login.email, login.password, login.authenticator_key)
    return page, gates, iro


def test_an_iro_signs_in_and_reads_the_childs_views_before_the_meeting(phone, live_server):
    login, child_link = live_server.iro_with_child_link()
    child_page, child_gates = phone()
    child = ChildJourney(child_page, child_gates)
    child.open_link(child_link)
    child.start()
    child.write_words_then_check("Please can my review be after school.")
    child.send()

    page, gates, iro = _iro_signed_in(phone, live_server, login)
    iro.open_child("Layla")
    iro.open_review()
    iro.open_pre_meeting_view()

    assert "Please can my review be after school." in page.inner_text("main")
    assert gates.checked == ["open sign-in", "password", "sign in", "open the child",
                             "open the review", "open the pre-meeting view"]


def test_an_iro_types_in_a_childs_paper_booklet(phone, live_server):
    login, _child_link = live_server.iro_with_child_link()
    page, gates, iro = _iro_signed_in(phone, live_server, login)
    iro.open_child("Layla")
    iro.open_review()
    iro.type_in_a_paper_booklet("went_well", "Written on paper: I like my new school.")
    iro.open_pre_meeting_view()

    main = page.inner_text("main")
    assert "Written on paper: I like my new school." in main
    assert "Typed in from a paper booklet by Imani Reviewing" in main
    assert gates.checked[-3:] == ["open the paper booklet", "save the booklet",
                                  "open the pre-meeting view"]


def test_an_urgent_message_comes_first_and_every_link_on_the_iros_home_can_be_read(
        phone, live_server):
    login, child_link = live_server.iro_with_child_link()
    child_page, child_gates = phone()
    child = ChildJourney(child_page, child_gates)
    child.open_link(child_link)
    child.send_an_urgent_message("I do not feel safe tonight.")

    page, gates, iro = _iro_signed_in(phone, live_server, login)
    # The link to requests on the home page was white on white (1:1); now every link in
    # the page's main part and in the header can be read (WCAG 1.4.3: 4.5:1 at least).
    requests_link = page.locator("main a[href$='/staff/requests']")
    assert requests_link.count() == 1
    assert contrast_ratio(requests_link) >= 4.5
    for link in page.locator("main a, header a").all():
        assert contrast_ratio(link) >= 4.5, link.inner_text()
    waiting = page.locator("header .site-header__waiting a[href$='/staff/requests']")
    assert waiting.inner_text() == "1 open urgent request"
    assert page.locator("header .site-header__waiting a").all_inner_texts() == [
        "1 open urgent request", "0 open concerns"]
    assert contrast_ratio(waiting) >= 4.5

    iro.open_requests()
    first_row = page.locator("main table tbody tr").first
    assert first_row.locator("th .tag").inner_text() == "Urgent"
    assert "worried or unsafe now" in first_row.locator("th a").inner_text()


def test_a_child_not_feeling_safe_comes_first_for_their_iro_until_acknowledged(
        phone, live_server):
    login, child_link = live_server.iro_with_child_link(other_children=("Abel", "Bea"))
    child_page, child_gates = phone()  # 360 x 740
    child = ChildJourney(child_page, child_gates)
    child.open_link(child_link)
    child.start()
    child.choose_on("home_safe", "no", "Fine.")
    child.go_to_check_answers()
    child.send()

    page, gates, iro = _iro_signed_in(phone, live_server, login)
    rows = page.locator("main table tbody tr")
    assert rows.first.locator("th").inner_text().startswith("Layla")
    needs_attention = rows.first.locator("td").nth(2).inner_text()
    assert needs_attention.startswith("Concern: Does not feel safe where they live")
    assert "Concern:" not in rows.nth(1).inner_text()

    iro.open_child("Layla")
    iro.open_review()
    panel = page.locator("main #concerns")
    assert panel.is_visible()
    assert "Concern: Does not feel safe where they live" in panel.inner_text()
    answer = panel.locator("a[href^='#answer-']").first.get_attribute("href")
    assert "Do you feel safe where you live?" in page.locator(answer).inner_text()
    iro.open_private_copy()
    assert "Private – not for the meeting" in page.inner_text("main")
    page.go_back()
    iro.acknowledge_without_saying_what_was_done()
    iro.acknowledge_concern("Phoned Layla and her carer; visiting today.")
    assert "Acknowledged" in page.locator("main #concerns").inner_text()

    iro.open_caseload()
    assert "Concern:" not in page.inner_text("main table")
    assert gates.checked == ["open sign-in", "password", "sign in", "open the child",
                             "open the review", "open the private copy",
                             "acknowledge without a note", "acknowledge the concern",
                             "open my children"]
    assert "choose no on home_safe" in child_gates.checked
