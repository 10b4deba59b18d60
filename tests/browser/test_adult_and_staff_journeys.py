"""A foster carer's journey and an IRO's, through the same gates as the child's."""

from __future__ import annotations

import pytest

from consult.models import InviteeRole
from tests.browser.journeys import AdultJourney, ChildJourney, IroJourney
from tests.browser.server import shipped_locales


@pytest.mark.parametrize("language", shipped_locales())
def test_a_foster_carer_gives_their_views(phone, live_server, language):
    page, gates = phone(language)
    journey = AdultJourney(page, gates, language)

    journey.open_link(live_server.link(InviteeRole.FOSTER_CARER, language))
    journey.answer("Amanuel is settled and doing well at school.")
    journey.send()

    assert gates.checked == ["open the link", "send"]


def test_an_iro_signs_in_and_reads_the_childs_views_before_the_meeting(phone, live_server):
    login, child_link = live_server.iro_with_child_link()
    child_page, child_gates = phone()
    child = ChildJourney(child_page, child_gates)
    child.open_link(child_link)
    child.answer("Please can my review be after school.")
    child.send()

    page, gates = phone()
    iro = IroJourney(page, gates)
    iro.sign_in(live_server.url, login.email, login.password)
    iro.open_review("Layla")

    assert "Please can my review be after school." in page.inner_text("main")
    assert gates.checked == ["open sign-in", "sign in", "open the review"]
