"""Scenario pages: a coordinator projects a what-if, shares it; partners read shared ones only;
two side by side; the PDF reads back."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from evac.extensions import db
from evac.models import User
from evac.services import capacity
from tests.conftest import login, post_form


def beds(app, make):
    with app.app_context():
        c = db.session.get(User, make.user("coordinator").id)
        capacity.report_capacity(c, "AZW", capacity.Figures({"ic": (40, 36)}, 2), "phone")
        capacity.report_capacity(c, "UMCG", capacity.Figures({"ic": (40, 20)}, 2), "phone")


def test_a_scenario_is_projected_shared_compared_and_printed(app, client, make):
    beds(app, make)
    login(client, make.user("coordinator"))
    form = {"name": "Ten IC a day", "days": "7", "stay": "10", "arrivals_per_day-0": "10",
            "arrivals_category-0": "ic", "arrivals_days-0": "3", "arrivals_airport-0": "EIN"}  # fmt: skip
    bad = post_form(client, "/scenarios/", {**form, "days": "99"}, page="/scenarios/")
    assert bad.status_code == 422 and "from 1 to 28" in bad.get_data(as_text=True)
    created = post_form(client, "/scenarios/", form, page="/scenarios/")
    assert created.status_code == 302
    page = client.get(created.location).get_data(as_text=True)
    assert "Ten IC a day" in page and "MICU rides" in page and "NW" in page
    sid = int(created.location.rsplit("/", 1)[1])
    second = post_form(client, "/scenarios/", {**form, "name": "Calm week", "arrivals_per_day-0": "1"},
                       page="/scenarios/")  # fmt: skip
    sid2 = int(second.location.rsplit("/", 1)[1])
    both = client.get(f"/scenarios/compare?id={sid}&id={sid2}").get_data(as_text=True)
    assert "Ten IC a day" in both and "Calm week" in both
    text = "".join(
        p.extract_text()
        for p in PdfReader(io.BytesIO(client.get(f"/scenarios/{sid}.pdf").get_data())).pages
    )
    assert "Ten IC a day" in text and "MICU" in text
    partner = app.test_client()
    login(partner, make.user("partner"))
    assert partner.get(f"/scenarios/{sid}").status_code == 404
    post_form(client, f"/scenarios/{sid}/share", {"shared": "1"}, page=f"/scenarios/{sid}")
    assert partner.get(f"/scenarios/{sid}").status_code == 200
    listing = partner.get("/scenarios/").get_data(as_text=True)
    assert "Ten IC a day" in listing and "Calm week" not in listing
    assert not re.search(r'action="/scenarios/"', listing)  # partners read, they do not make
