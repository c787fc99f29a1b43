"""The capacity page and a page per region draw the last weeks and the forecast per category,
with the figures as a table too."""

from __future__ import annotations

from datetime import timedelta

from evac.extensions import db
from evac.models import User
from evac.models.types import utcnow
from evac.services import capacity, outlook
from tests.conftest import login


def history(app, make, days=20):
    with app.app_context():
        c = db.session.get(User, make.user("coordinator").id)
        now = utcnow()
        for d in range(days, -1, -1):
            at = now - timedelta(days=d)
            capacity.report_capacity(c, "AZW", capacity.Figures({"ic": (40, 20 + d % 5)}, 2), "phone", reported_at=at)  # fmt: skip
            capacity.report_capacity(c, "UMCG", capacity.Figures({"ic": (40, 30)}, 2), "phone", reported_at=at)  # fmt: skip


def test_a_region_page_draws_history_and_forecast_with_a_table(app, client, make):
    history(app, make)
    login(client, make.user("viewer"))
    html = client.get("/capacity/regions/NW").get_data(as_text=True)
    assert 'class="band80"' in html and 'class="history"' in html
    assert "Intensive care (adult)" in html and "(forecast)" in html
    assert client.get("/capacity/regions/XX").status_code == 404
    overview = client.get("/capacity/").get_data(as_text=True)
    assert "the coming week" in overview and 'href="/capacity/regions/NW"' in overview


def test_the_pictures_sum_regions_for_the_country(app, make):
    history(app, make, days=10)
    with app.app_context():
        (ic,) = [p for p in outlook.pictures() if p.category == "ic"]
        assert ic.region == "NL" and ic.history[-1][2] == 80 and len(ic.forecast) == 7
        (nw,) = [p for p in outlook.pictures("NW") if p.category == "ic"]
        assert nw.history[-1][2] == 40
